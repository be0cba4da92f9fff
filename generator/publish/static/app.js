// Causerie's listening page: lists the episodes from /api/episodes and keeps each
// transcript in step with its audio. Text from the episodes is only ever set through
// textContent, never parsed as HTML.
"use strict";

const fmtDate = new Intl.DateTimeFormat("fr-FR", { dateStyle: "long", timeStyle: "short" });

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("data-")) node.setAttribute(key, value);
    else if (key in node) node[key] = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

function clock(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  const mm = h ? String(m).padStart(2, "0") : String(m);
  return (h ? `${h}:` : "") + `${mm}:${String(r).padStart(2, "0")}`;
}

function duration(seconds) {
  if (seconds == null) return "durée inconnue";
  const s = Math.round(seconds), m = Math.floor(s / 60), r = s % 60;
  if (!m) return `${r} s`;
  return r ? `${m} min ${String(r).padStart(2, "0")} s` : `${m} min`;
}

function plural(n, one, many) { return `${n} ${n > 1 ? many : one}`; }

// ---------------------------------------------------------------- one episode

function speakerClass(episode, name) {
  const i = episode.hosts.indexOf(name);
  return `speaker host-${i < 0 ? 2 : i}`;
}

function header(episode) {
  const meta = el("p", { class: "meta" },
    el("time", { dateTime: episode.date, text: fmtDate.format(new Date(episode.date)) }),
    el("span", { text: duration(episode.duration) }),
    el("span", { text: plural(episode.sources.length, "source", "sources") }),
    episode.hosts.length ? el("span", { text: `avec ${episode.hosts.join(" et ")}` }) : null);
  const titleId = `title-${episode.id}`;
  return el("header", { class: "episode-head" },
    el("h2", { id: titleId, text: episode.title }),
    // The subject often is the title again ("Le four solaire d'Odeillo" twice): shown only when it adds something.
    episode.subject && episode.subject.toLowerCase() !== episode.title.toLowerCase()
      ? el("p", { class: "subject", text: episode.subject }) : null,
    meta);
}

function transcript(episode) {
  const list = el("ol", { class: "lines" });
  for (const turn of episode.turns) {
    const text = el("span", { class: "text", text: turn.text });
    for (const n of turn.citations) {
      text.append(" ", el("sup", { class: "cite", text: `[${n}]`, "aria-label": `source ${n}` }));
    }
    const button = el("button", {
      type: "button", class: "line", "data-index": turn.index,
      disabled: turn.start === null,
      title: turn.start === null ? null : `Écouter à partir de ${clock(turn.start)}`,
    },
      el("span", { class: speakerClass(episode, turn.speaker), text: turn.speaker }),
      text);
    if (turn.start !== null) {
      button.dataset.start = turn.start;
      button.prepend(el("span", { class: "stamp", text: clock(turn.start), "aria-hidden": "true" }));
    }
    list.append(el("li", {}, button));
  }
  const synced = episode.turns.some((t) => t.start !== null);
  return el("section", { class: "transcript", "aria-label": "Transcription" },
    el("h3", { text: "Transcription" }),
    synced ? null : el("p", { class: "hint", text: "Les temps de cette transcription ne correspondent plus à l'audio : elle ne suit pas la lecture." }),
    list);
}

function chapters(episode) {
  if (!episode.chapters.length) return null;
  const list = el("ol", { class: "chapters" });
  for (const chapter of episode.chapters) {
    list.append(el("li", {}, el("button", { type: "button", class: "chapter", "data-start": chapter.start },
      el("span", { class: "stamp", text: clock(chapter.start) }),
      el("span", { text: chapter.title }))));
  }
  return el("section", { class: "panel", "aria-label": "Chapitres" }, el("h3", { text: "Chapitres" }), list);
}

function sources(episode) {
  const section = el("section", { class: "panel", "aria-label": "Sources et citations" }, el("h3", { text: "Sources" }));
  const docs = el("ul", { class: "docs" });
  for (const source of episode.sources) {
    docs.append(el("li", {}, el("span", { class: "doc-title", text: source.title }),
      el("span", { class: "doc-meta", text: `${source.kind} · ${source.words} mots` })));
  }
  section.append(docs);
  if (episode.citations.length) {
    section.append(el("h4", { text: "Passages cités" }));
    const list = el("ol", { class: "citations" });
    for (const c of episode.citations) {
      const where = [c.section, c.source].filter(Boolean).join(" — ");
      list.append(el("li", { "data-n": c.n },
        el("span", { class: "n", text: `[${c.n}]` }),
        el("div", {}, el("blockquote", { text: c.text }), where ? el("p", { class: "where", text: where }) : null)));
    }
    section.append(list);
  }
  return section;
}

function downloads(episode) {
  const list = el("ul", { class: "downloads" });
  for (const d of episode.downloads) {
    list.append(el("li", {}, el("a", { href: d.url, download: d.name, text: d.label })));
  }
  return el("section", { class: "panel", "aria-label": "Téléchargements" }, el("h3", { text: "Télécharger" }), list);
}

// The line being spoken: the last one whose start has passed.
function activeIndex(starts, t) {
  let found = -1;
  for (let i = 0; i < starts.length; i++) {
    if (starts[i] !== null && starts[i] <= t + 0.05) found = i;
  }
  return found;
}

function follow(article, episode, audio) {
  const lines = [...article.querySelectorAll(".line")];
  const chapterButtons = [...article.querySelectorAll(".chapter")];
  const citationItems = [...article.querySelectorAll(".citations li")];
  const starts = episode.turns.map((t) => t.start);
  const scroller = article.querySelector(".lines");
  let current = -2;

  function update() {
    const i = activeIndex(starts, audio.currentTime);
    if (i === current) return;
    current = i;
    lines.forEach((line, k) => {
      line.classList.toggle("active", k === i);
      if (k === i) line.setAttribute("aria-current", "true"); else line.removeAttribute("aria-current");
    });
    const cited = new Set(i >= 0 ? episode.turns[i].citations : []);
    citationItems.forEach((item) => item.classList.toggle("cited-now", cited.has(Number(item.dataset.n))));
    const t = audio.currentTime;
    chapterButtons.forEach((b, k) => {
      const next = chapterButtons[k + 1];
      b.classList.toggle("active", Number(b.dataset.start) <= t + 0.05 && (!next || Number(next.dataset.start) > t + 0.05));
    });
    if (i >= 0) {
      // Scroll the transcript box only, never the page the listener is reading.
      const line = lines[i].parentElement;
      const top = line.offsetTop - scroller.offsetTop;
      if (top < scroller.scrollTop || top + line.offsetHeight > scroller.scrollTop + scroller.clientHeight) {
        scroller.scrollTo({ top: Math.max(0, top - scroller.clientHeight / 3), behavior: "smooth" });
      }
    }
  }

  function seek(event) {
    const button = event.target.closest("[data-start]");
    if (!button) return;
    audio.currentTime = Number(button.dataset.start);
    update();
    audio.play().catch(() => {});   // a refused autoplay leaves the player paused at the right place
  }

  audio.addEventListener("timeupdate", update);
  audio.addEventListener("seeked", update);
  article.addEventListener("click", (event) => {
    if (event.target.closest(".line, .chapter")) seek(event);
  });
  update();
}

function episodeCard(episode) {
  const audio = el("audio", { controls: true, preload: "metadata", src: episode.audio.url });
  audio.setAttribute("aria-label", `Lecture : ${episode.title}`);
  const side = el("div", { class: "side" }, chapters(episode), sources(episode), downloads(episode));
  const article = el("article", { class: "episode", id: `episode-${episode.id}`, "aria-labelledby": `title-${episode.id}` },
    header(episode),
    el("div", { class: "player" }, audio),
    el("div", { class: "episode-body" }, transcript(episode), side));
  follow(article, episode, audio);
  return article;
}

// ---------------------------------------------------------------- the page

function onePlayerAtATime(root) {
  root.addEventListener("play", (event) => {
    for (const other of root.querySelectorAll("audio")) if (other !== event.target) other.pause();
  }, true);
}

function feedBox() {
  const input = document.getElementById("feed-url");
  const button = document.getElementById("copy-feed");
  input.value = new URL("feed.xml", document.baseURI).href;
  button.addEventListener("click", async () => {
    input.select();
    try {
      await navigator.clipboard.writeText(input.value);
    } catch {
      document.execCommand("copy");   // http pages other than localhost have no clipboard API
    }
    button.textContent = "Copié";
    setTimeout(() => { button.textContent = "Copier"; }, 1500);
  });
}

async function main() {
  const root = document.getElementById("episodes");
  feedBox();
  onePlayerAtATime(root);
  let episodes;
  try {
    const response = await fetch("api/episodes", { cache: "no-store" });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    episodes = await response.json();
  } catch (error) {
    root.replaceChildren(el("p", { class: "status error", role: "alert",
      text: `Impossible de lire la liste des épisodes (${error.message}). Le serveur « causerie listen » tourne-t-il encore ?` }));
    return;
  }
  if (!episodes.length) {
    root.replaceChildren(el("p", { class: "status", role: "status",
      text: "Aucun épisode dans ce dossier pour l'instant : lancez « causerie render », puis rechargez la page." }));
    return;
  }
  root.replaceChildren(
    el("h2", { class: "count", text: plural(episodes.length, "épisode", "épisodes") }),
    ...episodes.map(episodeCard));
  if (location.hash) document.getElementById(`episode-${decodeURIComponent(location.hash.slice(1))}`)?.scrollIntoView();
  document.body.dataset.ready = "true";
}

main();
