// Live events from /ws/events, with polling when the socket is not there.
//
// connectLiveEvents({ ticket, onEvent, poll, pollMs, catchUp }):
//   ticket()  -> Promise<string>: a one-time ticket (POST /api/events/ticket), sent as the
//                socket's first message (never in its URL);
//   onEvent(event) for each event ({type: "thread.created" | "thread.renamed" | ...});
//   poll()    called every pollMs while there is no live socket (no WebSocket support, the
//             server or a proxy refuses it, Redis down...), so the page stays current anyway;
//   catchUp() called once a socket is ready (what happened before it opened); default poll;
//   onStatus("live" | "polling") when that changes.
// Returns { close() }.
export function connectLiveEvents({ ticket, onEvent, poll, pollMs = 15000, catchUp = poll, onStatus = () => {} }) {
  let socket = null;
  let pollTimer = null;
  let pingTimer = null;
  let retryMs = 2000;
  let closed = false;

  const startPolling = () => {
    onStatus("polling");
    if (!pollTimer && poll) pollTimer = setInterval(poll, pollMs);
  };
  const stopPolling = () => {
    clearInterval(pollTimer);
    pollTimer = null;
  };

  async function open() {
    if (closed) return;
    if (typeof WebSocket === "undefined") {
      startPolling();
      return;
    }
    let credential;
    try {
      credential = await ticket();
    } catch (error) {
      return retry();
    }
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    socket = new WebSocket(`${scheme}://${location.host}/ws/events`);
    socket.addEventListener("open", () => socket.send(JSON.stringify({ type: "auth", ticket: credential })));
    socket.addEventListener("message", (message) => {
      let event;
      try {
        event = JSON.parse(message.data);
      } catch (error) {
        return;
      }
      if (event.type === "ready") {
        retryMs = 2000;
        stopPolling();
        onStatus("live");
        if (catchUp) catchUp(); // what happened while there was no socket
        pingTimer = setInterval(() => socket.readyState === 1 && socket.send('{"type":"ping"}'), 30000);
      } else if (event.type !== "pong" && event.type !== "error") {
        onEvent(event);
      }
    });
    socket.addEventListener("close", () => {
      clearInterval(pingTimer);
      retry();
    });
  }

  function retry() {
    if (closed) return;
    startPolling();
    setTimeout(open, retryMs);
    retryMs = Math.min(retryMs * 2, 60000);
  }

  open();
  return {
    close() {
      closed = true;
      stopPolling();
      clearInterval(pingTimer);
      if (socket) socket.close();
    },
  };
}
