// /voice: a realtime voice conversation over WebRTC with a short-lived client secret.
import { authFetch } from "/static/accounts/auth.js";

const page = JSON.parse(document.getElementById("page-config").textContent);
const s = page.strings;
const stateLabel = document.getElementById("voice-state");
const dot = document.getElementById("voice-dot");
const message = document.getElementById("voice-message");
const toggle = document.getElementById("voice-toggle");
const audio = document.getElementById("voice-audio");
const REALTIME_CALLS = "https://api.openai.com/v1/realtime/calls";

let session = null;
let connection = null;
let refreshTimer = null;

const LABELS = { idle: s.voiceIdle, connecting: s.voiceConnecting, listening: s.voiceListening,
                 speaking: s.voiceSpeaking, error: s.voiceError };

function setState(state, text) {
  stateLabel.dataset.state = state;
  dot.dataset.state = state;
  stateLabel.textContent = LABELS[state];
  message.hidden = !text;
  message.textContent = text || "";
  toggle.textContent = state === "idle" || state === "error" ? s.voiceStart : s.voiceStop;
}

async function fetchSession() {
  const response = await authFetch("/api/chatkit/voice/session", {
    method: "POST", headers: { "Content-Type": "application/json" }, body: "{}",
  });
  if (response.status === 503) throw new Error(s.voiceUnavailable);
  if (!response.ok) throw new Error(s.voiceUnreachable);
  return response.json();
}

// Keep a valid secret ready for reconnecting: renew it about a minute before it expires.
function scheduleRefresh() {
  clearTimeout(refreshTimer);
  if (!session || !session.expires_at) return;
  const delay = Math.max(5_000, session.expires_at * 1000 - Date.now() - 60_000);
  refreshTimer = setTimeout(async () => {
    try {
      session = await fetchSession();
      scheduleRefresh();
    } catch (error) {
      console.warn("voice secret refresh failed", error);
    }
  }, delay);
}

async function start() {
  setState("connecting");
  try {
    session = await fetchSession();
  } catch (error) {
    setState("error", error.message);
    return;
  }
  scheduleRefresh();
  let microphone;
  try {
    microphone = await navigator.mediaDevices.getUserMedia({ audio: true });
  } catch (error) {
    setState("error", s.voiceMicDenied);
    return;
  }
  try {
    connection = new RTCPeerConnection();
    connection.ontrack = (event) => { audio.srcObject = event.streams[0]; };
    microphone.getTracks().forEach((track) => connection.addTrack(track, microphone));
    const events = connection.createDataChannel("oai-events");
    events.addEventListener("message", (event) => {
      const data = JSON.parse(event.data);
      if (data.type === "output_audio_buffer.started") setState("speaking");
      if (data.type === "output_audio_buffer.stopped" || data.type === "response.done") setState("listening");
      if (data.type === "error") setState("error", data.error?.message || s.voiceUnreachable);
    });
    const offer = await connection.createOffer();
    await connection.setLocalDescription(offer);
    const answer = await fetch(`${REALTIME_CALLS}?model=${encodeURIComponent(session.model)}`, {
      method: "POST", body: offer.sdp,
      headers: { Authorization: `Bearer ${session.client_secret}`, "Content-Type": "application/sdp" },
    });
    if (!answer.ok) throw new Error(`HTTP ${answer.status}`);
    await connection.setRemoteDescription({ type: "answer", sdp: await answer.text() });
    setState("listening");
  } catch (error) {
    console.warn("realtime connection failed", error);
    stop();
    setState("error", s.voiceUnreachable);
  }
}

function stop() {
  clearTimeout(refreshTimer);
  if (connection) {
    connection.getSenders().forEach((sender) => sender.track && sender.track.stop());
    connection.close();
  }
  connection = null;
  setState("idle");
}

toggle.addEventListener("click", () => (connection ? stop() : start()));
setState("idle");
