// The side pane beside the chat: a map (Leaflet, OpenStreetMap tiles) or a chart (plotly.js in a
// sandboxed frame). Widgets open it through client actions — the contract, for the official
// component's `widgets.onAction` and the fallback client alike:
//
//   {type: "map.show",   handler: "client", payload: {place, latitude, longitude, zoom?}}
//   {type: "chart.open", handler: "client", payload: {title, figure: {data: [...], layout?}}}
//
// `handleClientAction(action)` opens the pane and returns true for those; false for any other.
const page = JSON.parse(document.getElementById("page-config").textContent);
const s = page.strings;
const LEAFLET = "/static/conversations/vendor/leaflet/";
const MIN_WIDTH = 260;

let pane = null;
let map = null;

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (value !== undefined && value !== null && value !== false) node.setAttribute(key, value === true ? "" : value);
  }
  node.append(...children);
  return node;
}

function ensurePane() {
  if (pane) return pane;
  const title = el("h2", { id: "side-pane-title" });
  const body = el("div", { class: "side-pane-body", id: "side-pane-body" });
  const handle = el("div", { class: "side-pane-handle", role: "separator", tabindex: "0", "aria-orientation": "vertical", "aria-label": s.paneResize });
  const aside = el("aside", { id: "side-pane", class: "side-pane", "aria-labelledby": "side-pane-title", hidden: true },
    handle,
    el("header", { class: "side-pane-header" }, title,
      el("button", { type: "button", id: "side-pane-close", class: "side-pane-close", "aria-label": s.paneClose, title: s.paneClose, onclick: closePane }, "×")),
    body);
  document.getElementById("chat-layout").append(aside);
  // Dragging the left edge (or the arrow keys on it) resizes the pane.
  handle.addEventListener("pointerdown", (event) => {
    handle.setPointerCapture(event.pointerId);
    const move = (e) => resize(window.innerWidth - e.clientX);
    handle.addEventListener("pointermove", move);
    handle.addEventListener("pointerup", () => handle.removeEventListener("pointermove", move), { once: true });
  });
  handle.addEventListener("keydown", (event) => {
    if (event.key === "ArrowLeft") resize(aside.offsetWidth + 40);
    if (event.key === "ArrowRight") resize(aside.offsetWidth - 40);
  });
  pane = { aside, title, body };
  return pane;
}

function resize(width) {
  const clamped = Math.max(MIN_WIDTH, Math.min(window.innerWidth * 0.75, width));
  document.getElementById("chat-layout").style.setProperty("--pane-width", `${Math.round(clamped)}px`);
  map?.invalidateSize();
}

export function closePane() {
  if (!pane) return;
  map?.remove();
  map = null;
  pane.body.replaceChildren();
  pane.aside.hidden = true;
  document.getElementById("chat-layout").classList.remove("with-pane");
}

function open(titleText) {
  const { aside, title, body } = ensurePane();
  map?.remove();
  map = null;
  title.textContent = titleText;
  body.replaceChildren();
  aside.hidden = false;
  document.getElementById("chat-layout").classList.add("with-pane");
  return body;
}

function loadLeaflet() {
  if (window.L) return Promise.resolve(window.L);
  if (!document.querySelector(`link[href="${LEAFLET}leaflet.css"]`)) {
    document.head.append(el("link", { rel: "stylesheet", href: `${LEAFLET}leaflet.css` }));
  }
  return new Promise((resolve, reject) => {
    const script = el("script", { src: `${LEAFLET}leaflet.js` });
    script.onload = () => resolve(window.L);
    script.onerror = () => reject(new Error("leaflet"));
    document.head.append(script);
  });
}

async function showMap(payload) {
  const latitude = Number(payload.latitude);
  const longitude = Number(payload.longitude);
  const zoom = Math.min(19, Math.max(1, Number(payload.zoom) || 12));
  const place = String(payload.place || "");
  const body = open(place);
  const where = `${place} · ${latitude.toFixed(4)}, ${longitude.toFixed(4)}`;
  const note = el("p", { id: "side-pane-map-note", class: "side-pane-note", hidden: navigator.onLine }, s.mapOffline, " ", el("strong", {}, where));
  const box = el("div", { id: "side-pane-map", class: "side-pane-map", role: "img", "aria-label": where });
  body.append(note, box, el("p", { class: "side-pane-caption" }, where));
  if (!Number.isFinite(latitude) || !Number.isFinite(longitude)) {
    note.hidden = false;
    return;
  }
  const L = await loadLeaflet();
  L.Icon.Default.imagePath = `${LEAFLET}images/`;
  map = L.map(box).setView([latitude, longitude], zoom);
  const tiles = L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", { maxZoom: 19, attribution: s.mapAttribution });
  // Tiles come from the internet: when they cannot load, say so (the place stays shown).
  tiles.on("tileerror", () => { note.hidden = false; });
  tiles.addTo(map);
  L.marker([latitude, longitude]).addTo(map).bindPopup(place);
}

function showChart(payload) {
  const body = open(String(payload.title || s.chartFrame));
  // No allow-same-origin: the frame's origin is opaque, it cannot reach this page or its cookies.
  const frame = el("iframe", { id: "side-pane-chart", class: "side-pane-chart", sandbox: "allow-scripts", src: "/chart-frame", title: String(payload.title || s.chartFrame), referrerpolicy: "no-referrer" });
  const send = (event) => {
    if (event.source !== frame.contentWindow || event.data?.type !== "chart.ready") return;
    frame.contentWindow.postMessage({ type: "chart", figure: payload.figure, title: payload.title, invalidText: s.chartInvalid }, "*");
  };
  window.addEventListener("message", send);
  body.append(frame);
}

export function handleClientAction(action) {
  if (!action || typeof action !== "object") return false;
  if (action.type === "map.show") {
    showMap(action.payload || {});
    return true;
  }
  if (action.type === "chart.open") {
    showChart(action.payload || {});
    return true;
  }
  return false;
}

document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && pane && !pane.aside.hidden) closePane();
});
