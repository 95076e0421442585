// The admin's ingestion job page follows its job: the task worker's ingestion.job events over
// /ws/events update the counters in place (and reload the page once the job is over); without
// a live socket the page reloads every 2 seconds instead.
import { connectLiveEvents } from "/static/events/live.js";

const marker = document.getElementById("job-progress");
const jobId = Number(marker.dataset.followJob);
const csrf = document.querySelector("input[name=csrfmiddlewaretoken]")?.value
  || (document.cookie.match(/(?:^|; )csrftoken=([^;]+)/) || [])[1] || "";

function show(field, value) {
  const cell = document.querySelector(`.field-${field} .readonly`);
  if (cell) cell.textContent = String(value);
}

const apply = (job) => {
  if (job.id !== jobId) return;
  show("documents_done", job.documents_done);
  show("chunks_done", job.chunks_done);
  show("status", job.status);
  if (job.status === "succeeded" || job.status === "failed") location.reload();
};

connectLiveEvents({
  ticket: async () => {
    const response = await fetch("/api/events/ticket", {
      method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": csrf },
    });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return (await response.json()).ticket;
  },
  onEvent: (event) => event.type === "ingestion.job" && apply(event.job),
  poll: () => location.reload(),
  pollMs: 2000,
  catchUp: async () => {
    const response = await fetch(`/api/vector-stores/jobs/${jobId}`, { credentials: "same-origin" });
    if (response.ok) apply(await response.json());
  },
});
