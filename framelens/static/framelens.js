// The annotation page: send the article to /v1/annotate, then show each sentence in its label's
// colour, a legend, the framing mix and, on hover or keyboard focus, why a sentence got its label.
// Plain JS, no build step, no network beyond this server. Text is only ever set as textContent.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const form = $("annotate-form");
  const textarea = $("article");
  const button = $("annotate-button");
  const fileInput = $("file-input");
  const errorBox = $("error");
  const results = $("results");
  const annotated = $("annotated");
  const legend = $("legend");
  const mix = $("mix");
  const mixCaption = $("mix-caption");
  const tooltip = $("tooltip");
  const modelInfo = $("model-info");

  let scheme = null; // the served model's scheme: labels with names, colours, descriptions
  let schemeModel = null; // the model version that scheme belongs to

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (key === "class") node.className = value;
      else if (key === "style") Object.assign(node.style, value);
      else node.setAttribute(key, value);
    }
    for (const child of children) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function percent(x) {
    return `${Math.round(x * 100)}%`;
  }

  function labelOf(id) {
    const found = scheme && scheme.labels.find((label) => label.id === id);
    return found || { id, name: id, description: "", color: "#888888" };
  }

  // "#1565c0" at alpha a, for the tints behind sentences.
  function tint(hex, alpha) {
    const n = parseInt(hex.slice(1), 16);
    return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
  }

  // Errors -----------------------------------------------------------------------------------

  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = false;
  }

  function clearError() {
    errorBox.hidden = true;
    errorBox.textContent = "";
  }

  async function getJSON(response) {
    let body = null;
    try {
      body = await response.json();
    } catch (_) {
      body = null;
    }
    if (!response.ok) {
      const detail = body && body.error ? body.error.message : response.statusText;
      const code = body && body.error ? ` (${body.error.code})` : "";
      throw new Error(`The server answered ${response.status}${code}: ${detail}`);
    }
    return body;
  }

  // Scheme and legend ------------------------------------------------------------------------

  async function loadScheme() {
    const body = await getJSON(await fetch("/v1/schemes"));
    if (!body.current) {
      modelInfo.textContent = "no model loaded";
      return;
    }
    scheme = body.current.scheme;
    schemeModel = body.current.model;
    modelInfo.textContent = `model ${schemeModel} · scheme ${scheme.name} ${scheme.version}`;
    $("threshold").textContent = percent(scheme.uncertain_threshold);
    renderLegend(null);
  }

  function renderLegend(summary) {
    legend.replaceChildren();
    for (const label of scheme.labels) {
      const count = summary ? summary.counts[label.id] || 0 : null;
      legend.append(
        el(
          "li",
          { "data-label": label.id },
          el("span", { class: "swatch", style: { background: label.color }, "aria-hidden": "true" }),
          el(
            "span",
            { class: "legend-text" },
            el("strong", { class: "legend-name" }, label.name),
            count === null ? null : el("span", { class: "legend-count" }, ` ${count}`),
            el("span", { class: "legend-description" }, label.description),
          ),
        ),
      );
    }
  }

  // The framing mix: one segment per label, as wide as its share of sentences.
  function renderMix(summary) {
    mix.replaceChildren();
    const parts = [];
    for (const label of scheme.labels) {
      const share = summary.shares[label.id] || 0;
      if (share <= 0) continue;
      parts.push(`${label.name} ${percent(share)}`);
      mix.append(
        el(
          "span",
          {
            class: "segment",
            "data-label": label.id,
            "data-share": String(share),
            title: `${label.name}: ${percent(share)} (${summary.counts[label.id]} sentences)`,
            style: { width: `${share * 100}%`, background: label.color },
          },
          share >= 0.08 ? percent(share) : "",
        ),
      );
    }
    mix.setAttribute("aria-label", `Framing mix: ${parts.join(", ")}`);
    const dominant = summary.dominant ? labelOf(summary.dominant).name : "none";
    const voices = Object.entries(summary.voices || {})
      .map(([id, rows]) => `${labelOf(id).name} in ${rows.length}`)
      .join(", ");
    mixCaption.textContent =
      `Most sentences: ${dominant}.` + (voices ? ` Whose words are reported: ${voices}.` : "");
  }

  // Sentences --------------------------------------------------------------------------------

  // A regular expression for an evidence term: its words in order, case-insensitive, with any
  // run of spaces or punctuation between them, not inside a longer word.
  function termPattern(term) {
    const words = term.split(/\s+/).filter(Boolean);
    if (!words.length) return null;
    const escaped = words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
    const body = escaped.join("[\\s\\p{P}\\p{S}]+");
    const lead = /^[\p{L}\p{N}]/u.test(words[0]) ? "(?<![\\p{L}\\p{N}])" : "";
    const tail = /[\p{L}\p{N}]$/u.test(words[words.length - 1]) ? "(?![\\p{L}\\p{N}])" : "";
    return new RegExp(lead + body + tail, "giu");
  }

  // Character ranges of the sentence to underline, merged where they overlap. Only the
  // sentence's own words: context evidence (who speaks, quoted) is not in the text.
  function evidenceRanges(text, evidence) {
    const ranges = [];
    for (const { term, kind } of evidence) {
      if (kind === "context") continue;
      const pattern = termPattern(term);
      if (!pattern) continue;
      for (const match of text.matchAll(pattern)) {
        if (match[0].length) ranges.push([match.index, match.index + match[0].length]);
      }
    }
    ranges.sort((a, b) => a[0] - b[0]);
    const merged = [];
    for (const range of ranges) {
      const last = merged[merged.length - 1];
      if (last && range[0] <= last[1]) last[1] = Math.max(last[1], range[1]);
      else merged.push(range.slice());
    }
    return merged;
  }

  // Append text[from:to] to parent, the parts inside evidence ranges as underlined spans.
  function appendMarked(parent, text, from, to, ranges) {
    let at = from;
    for (const [start, end] of ranges) {
      const [a, b] = [Math.max(start, from), Math.min(end, to)];
      if (a >= b) continue;
      if (a > at) parent.append(text.slice(at, a));
      parent.append(el("span", { class: "evidence" }, text.slice(a, b)));
      at = b;
    }
    if (at < to) parent.append(text.slice(at, to));
  }

  // The API's offsets count code points (Python's str); a JS string counts UTF-16 units, two
  // for an emoji or any character outside the Basic Multilingual Plane. utf16At(text) maps a
  // code-point offset to the index a JS string uses.
  function utf16At(text) {
    const at = [0];
    let units = 0;
    for (const ch of text) {
      units += ch.length;
      at.push(units);
    }
    return (offset) => at[Math.min(offset, at.length - 1)];
  }

  function sentenceNode(sentence, unit) {
    const label = labelOf(sentence.label);
    const node = el("span", {
      class: sentence.uncertain ? "sentence uncertain" : "sentence",
      tabindex: "0",
      "data-index": String(sentence.index),
      "data-label": sentence.label,
      "aria-label": `${label.name}, ${percent(sentence.confidence)}${
        sentence.uncertain ? ", uncertain" : ""
      }: ${sentence.text}`,
    });
    node.style.setProperty("--label-color", label.color);
    node.style.setProperty("--label-tint", tint(label.color, sentence.uncertain ? 0.1 : 0.2));
    // The text with its evidence underlined, and the source (who speaks) wrapped in one span.
    const ranges = evidenceRanges(sentence.text, sentence.evidence);
    const source = sentence.source;
    const inside = source && source.start >= sentence.start && source.end <= sentence.end;
    if (inside) {
      const from = unit(sentence.start);
      const [a, b] = [unit(source.start) - from, unit(source.end) - from];
      appendMarked(node, sentence.text, 0, a, ranges);
      const wrap = el("span", { class: "source" });
      appendMarked(wrap, sentence.text, a, b, ranges);
      node.append(wrap);
      appendMarked(node, sentence.text, b, sentence.text.length, ranges);
    } else {
      appendMarked(node, sentence.text, 0, sentence.text.length, ranges);
    }
    if (sentence.uncertain) node.append(el("sup", { class: "q", "aria-hidden": "true" }, "?"));
    node.framelens = sentence;
    return node;
  }

  // The article as sent, with each sentence wrapped; the text between sentences (spaces, line
  // breaks) is kept, so paragraphs stay where they were.
  function renderArticle(text, sentences) {
    annotated.replaceChildren();
    const unit = utf16At(text);
    let at = 0;
    for (const sentence of sentences) {
      const [start, end] = [unit(sentence.start), unit(sentence.end)];
      if (start > at) annotated.append(text.slice(at, start));
      annotated.append(sentenceNode(sentence, unit));
      at = end;
    }
    if (at < text.length) annotated.append(text.slice(at));
  }

  // Tooltip ----------------------------------------------------------------------------------

  function fillTooltip(sentence) {
    const label = labelOf(sentence.label);
    const rows = Object.entries(sentence.probabilities).sort((a, b) => b[1] - a[1]);
    tooltip.replaceChildren(
      el(
        "div",
        { class: "tip-head" },
        el("span", { class: "swatch", style: { background: label.color } }),
        el("strong", { class: "tip-label" }, label.name),
        el("span", { class: "tip-confidence" }, ` ${percent(sentence.confidence)}`),
        sentence.uncertain
          ? el("span", { class: "tip-uncertain" }, REASONS[sentence.reason] || "uncertain")
          : null,
      ),
      whoSpeaks(sentence.source),
      el(
        "table",
        { class: "tip-probs" },
        el(
          "tbody",
          {},
          ...rows.map(([id, p]) =>
            el(
              "tr",
              { "data-label": id },
              el("th", { scope: "row" }, labelOf(id).name),
              el(
                "td",
                { class: "bar-cell" },
                el("span", {
                  class: "pbar",
                  style: { width: `${Math.max(p * 100, 1)}%`, background: labelOf(id).color },
                }),
              ),
              el("td", { class: "num" }, percent(p)),
            ),
          ),
        ),
      ),
      el(
        "p",
        { class: "tip-evidence" },
        el("span", { class: "tip-key" }, "Evidence: "),
        sentence.evidence.length
          ? sentence.evidence.map((e) => (e.kind === "context" ? `[${e.term}]` : e.term)).join(", ")
          : "no single word stands out",
      ),
    );
  }

  const REASONS = {
    low_confidence: "uncertain",
    unknown_vocabulary: "uncertain: unknown words",
    language: "uncertain: another language",
  };

  // "Who speaks: Maria Zakharova (Russia / Wagner), named earlier" for a sentence with a source.
  function whoSpeaks(source) {
    if (!source) return null;
    const party = source.party ? labelOf(source.party).name : "outside the scheme";
    return el(
      "p",
      { class: "tip-source" },
      el("span", { class: "tip-key" }, "Who speaks: "),
      `${source.text} (${party})${source.inherited ? ", named earlier" : ""}`,
    );
  }

  function showTooltip(node) {
    fillTooltip(node.framelens);
    tooltip.hidden = false;
    node.setAttribute("aria-describedby", "tooltip");
    const box = node.getBoundingClientRect();
    const width = Math.min(320, window.innerWidth - 16);
    tooltip.style.width = `${width}px`;
    const left = Math.min(Math.max(8, box.left), window.innerWidth - width - 8);
    const tipHeight = tooltip.offsetHeight;
    let top = box.bottom + 8;
    if (top + tipHeight > window.innerHeight && box.top - tipHeight - 8 > 0) {
      top = box.top - tipHeight - 8;
    }
    tooltip.style.left = `${left + window.scrollX}px`;
    tooltip.style.top = `${top + window.scrollY}px`;
  }

  function hideTooltip(node) {
    tooltip.hidden = true;
    if (node) node.removeAttribute("aria-describedby");
  }

  annotated.addEventListener("mouseover", (event) => {
    const node = event.target.closest(".sentence");
    if (node) showTooltip(node);
  });
  annotated.addEventListener("mouseout", (event) => {
    const node = event.target.closest(".sentence");
    if (node && !node.contains(event.relatedTarget) && document.activeElement !== node) {
      hideTooltip(node);
    }
  });
  annotated.addEventListener("focusin", (event) => {
    const node = event.target.closest(".sentence");
    if (node) showTooltip(node);
  });
  annotated.addEventListener("focusout", (event) => {
    const node = event.target.closest(".sentence");
    if (node) hideTooltip(node);
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") hideTooltip(document.activeElement);
  });

  // Annotating -------------------------------------------------------------------------------

  async function annotate() {
    clearError();
    hideTooltip(null);
    const text = textarea.value;
    if (!text.trim()) {
      showError("Paste an article first: the text box is empty.");
      textarea.focus();
      return;
    }
    button.disabled = true;
    button.textContent = "Annotating…";
    try {
      const response = await fetch("/v1/annotate", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ text }),
      });
      const result = await getJSON(response);
      if (result.model.version !== schemeModel) await loadScheme(); // a newer model was promoted
      modelInfo.textContent =
        `model ${result.model.version} · scheme ${result.model.scheme} ${result.model.scheme_version}`;
      renderArticle(text, result.sentences);
      renderMix(result.summary);
      renderLegend(result.summary);
      results.hidden = false;
    } catch (error) {
      showError(
        error instanceof TypeError ? `The server could not be reached: ${error.message}` : error.message,
      );
    } finally {
      button.disabled = false;
      button.textContent = "Annotate";
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    annotate();
  });
  textarea.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      annotate();
    }
  });

  // Files: the file picker, or a .txt dropped on the text box.
  async function readFile(file) {
    if (!file) return;
    if (file.type && file.type !== "text/plain" && !file.name.endsWith(".txt")) {
      showError(`${file.name} is not a .txt file; save the article as plain text first.`);
      return;
    }
    clearError();
    textarea.value = await file.text();
  }
  fileInput.addEventListener("change", () => readFile(fileInput.files[0]));
  textarea.addEventListener("dragover", (event) => {
    event.preventDefault();
    textarea.classList.add("dragging");
  });
  textarea.addEventListener("dragleave", () => textarea.classList.remove("dragging"));
  textarea.addEventListener("drop", (event) => {
    event.preventDefault();
    textarea.classList.remove("dragging");
    readFile(event.dataTransfer.files[0]);
  });

  loadScheme().catch((error) => {
    modelInfo.textContent = "no model loaded";
    showError(error.message);
  });
})();
