// The Kamervragen assistant's page script: run once when the page has loaded (Gradio's
// launch(js=...) takes one function). Chat messages are sanitized (no data-* attributes,
// no inline handlers), so one listener on the document serves every card, old and new.
() => {
  if (window.kvReady) return;
  window.kvReady = true;
  const OPEN = "#open=";

  // Copy the citation line next to the button; fall back to a text selection where the
  // clipboard API is missing (a page not served from 127.0.0.1/localhost or https).
  async function copyCitation(button) {
    const holder = button.closest(".kv-card, .kv-lookup-item");
    const line = holder && holder.querySelector(".kv-cite-line");
    if (!line) return;
    const text = line.textContent.trim();
    let copied = false;
    try {
      await navigator.clipboard.writeText(text);
      copied = true;
    } catch (error) {
      const range = document.createRange();
      range.selectNodeContents(line);
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      copied = document.execCommand("copy");
    }
    if (!copied) return;
    button.classList.add("kv-copied");
    clearTimeout(button.kvTimer);
    button.kvTimer = setTimeout(() => button.classList.remove("kv-copied"), 2500);
  }

  // "Open in letter": show the Sources tab at once, then let the server fill in the letter
  // (a hidden button carries the passage id; it fires on every click, also the same one).
  function openInLetter(link) {
    const id = decodeURIComponent(link.getAttribute("href").slice(OPEN.length));
    window.kvOpenPassage = id;
    const tab = document.querySelector("#kv-tabs button[role='tab'][id$='kv-tab-sources-button']")
      || Array.from(document.querySelectorAll("#kv-tabs button[role='tab']"))
        .find((b) => b.textContent.includes("Sources"));
    if (tab) tab.click();
    const button = document.querySelector("#kv-open-btn");
    if (button) button.click();
  }

  // A row of the Sources list opens its letter (its subject is a link for the keyboard).
  function openLetter(docId) {
    window.kvOpenLetter = docId;
    const button = document.querySelector("#kv-open-letter-btn");
    if (button) button.click();
  }

  document.addEventListener("click", (event) => {
    const copy = event.target.closest(".kv-copy");
    if (copy) {
      event.preventDefault();
      copyCitation(copy);
      return;
    }
    const link = event.target.closest("a.kv-open");
    if (link && (link.getAttribute("href") || "").startsWith(OPEN)) {
      event.preventDefault();
      openInLetter(link);
      return;
    }
    const row = event.target.closest(".kv-docs tr[data-doc]");
    if (row) {
      event.preventDefault();
      openLetter(row.dataset.doc);
    }
  });
}
