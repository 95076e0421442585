// A small, safe Markdown renderer: the text is HTML-escaped first, then a handful of
// constructs are turned back into markup. Links are kept only for http(s) URLs.
const ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

function inline(text) {
  return text
    .replace(/`([^`]+)`/g, "<code>$1</code>")
    .replace(/\*\*([^*]+)\*\*/g, "<strong>$1</strong>")
    .replace(/(^|[^*\w])\*([^*\n]+)\*(?!\w)/g, "$1<em>$2</em>")
    .replace(/\[([^\]]+)\]\((https?:\/\/[^)\s"]+)\)/g, '<a href="$2" target="_blank" rel="noopener noreferrer">$1</a>');
}

export function renderMarkdown(source) {
  const escaped = escapeHtml(source || "");
  const blocks = escaped.split(/```/);
  let html = "";
  blocks.forEach((block, index) => {
    if (index % 2 === 1) {
      html += `<pre><code>${block.replace(/^[a-z0-9_-]*\n/i, "")}</code></pre>`;
      return;
    }
    for (const paragraph of block.split(/\n{2,}/)) {
      const lines = paragraph.split("\n").filter((line) => line.trim() !== "");
      if (!lines.length) continue;
      if (lines.every((line) => /^\s*[-*] /.test(line))) {
        html += `<ul>${lines.map((line) => `<li>${inline(line.replace(/^\s*[-*] /, ""))}</li>`).join("")}</ul>`;
      } else if (lines.every((line) => /^\s*\d+\. /.test(line))) {
        html += `<ol>${lines.map((line) => `<li>${inline(line.replace(/^\s*\d+\. /, ""))}</li>`).join("")}</ol>`;
      } else if (/^#{1,6} /.test(lines[0]) && lines.length === 1) {
        html += `<h4>${inline(lines[0].replace(/^#{1,6} /, ""))}</h4>`;
      } else {
        html += `<p>${lines.map(inline).join("<br>")}</p>`;
      }
    }
  });
  return html;
}
