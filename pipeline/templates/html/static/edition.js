// Progressive enhancement for the HTML edition.  Everything here is optional:
// without JavaScript the switches still work (CSS :has), note markers still
// jump to the note, and only search needs a served site.
(function () {
  "use strict";

  var root = document.documentElement;
  // The frame's ids step aside for the book's own (a TEI may use "toggle-sic" or
  // "note-popover" itself: then ours is "toggle-sic-2"), so the frame is found by
  // its place and markup, never by a fixed id.
  var SWITCHES = [
    { input: "toggle-sic", cls: "show-sic" },
    { input: "toggle-entities", cls: "show-entities" }
  ];

  function frameSwitch(name) {
    return document.querySelector('.toolbar input[id^="' + name + '"]');
  }

  // localStorage throws in some file:// and private-mode setups; the switch
  // must keep working for this page even when it cannot be remembered.
  function remember(key, value) {
    try { window.localStorage.setItem("edition:" + key, value ? "1" : "0"); } catch (e) { /* not kept */ }
  }
  function recall(key) {
    try { return window.localStorage.getItem("edition:" + key) === "1"; } catch (e) { return false; }
  }

  function setUpSwitch(spec) {
    var box = frameSwitch(spec.input);
    if (!box) { return; }
    box.checked = recall(spec.input);
    root.classList.toggle(spec.cls, box.checked);
    box.addEventListener("change", function () {
      root.classList.toggle(spec.cls, box.checked);
      remember(spec.input, box.checked);
    });
  }

  // ---------------------------------------------------------------- notes

  function noteBody(note) {
    var copy = note.cloneNode(true);
    copy.removeAttribute("id");
    Array.prototype.forEach.call(copy.querySelectorAll("[id]"), function (el) { el.removeAttribute("id"); });
    var back = copy.querySelector(".backlink");
    if (back) { back.remove(); }
    var frag = document.createDocumentFragment();
    while (copy.firstChild) { frag.appendChild(copy.firstChild); }
    return frag;
  }

  function placeNear(box, anchor) {
    var r = anchor.getBoundingClientRect();
    var margin = 8;
    var width = box.offsetWidth;
    var left = Math.min(Math.max(margin, r.left - width / 2), window.innerWidth - width - margin);
    var top = r.bottom + margin;
    if (top + box.offsetHeight > window.innerHeight - margin) {
      top = Math.max(margin, r.top - box.offsetHeight - margin);
    }
    box.style.left = left + "px";
    box.style.top = top + "px";
  }

  function setUpNotes() {
    var box = document.querySelector("div[popover]");
    if (!box || typeof box.showPopover !== "function") { return; }  // old browser: plain links
    var body = box.querySelector(".popover-body");
    var close = box.querySelector(".popover-close");
    var opener = null;

    close.addEventListener("click", function () { box.hidePopover(); });
    box.addEventListener("toggle", function (ev) {
      if (ev.newState === "closed" && opener) { opener.focus(); opener = null; }
    });

    document.addEventListener("click", function (ev) {
      var a = ev.target.closest ? ev.target.closest("a.noteref") : null;
      if (!a) { return; }
      var note = document.getElementById(decodeURIComponent(a.hash.slice(1)));
      if (!note) { return; }  // let the browser follow the link
      ev.preventDefault();
      // A marker inside an open note (an editor's note on a footnote) shows
      // that note in the same box; focus still goes back to the first marker.
      var inside = box.contains(a);
      body.replaceChildren(noteBody(note));
      box.setAttribute("aria-label", a.getAttribute("aria-label") || a.textContent);
      if (!inside) {
        box.showPopover();
        placeNear(box, a);
        opener = a;
      }
      box.focus();
    });
  }

  // ---------------------------------------------------------------- search

  function setUpSearch() {
    var holder = document.querySelector("main [data-bundle]");
    if (!holder) { return; }
    var offline = document.querySelector("main .search-offline");
    // Pagefind fetches its index; browsers forbid fetch() from file:// pages.
    if (location.protocol === "file:") {
      if (offline) { offline.hidden = false; }
      return;
    }
    // Absolute URLs: Pagefind imports its bundle as an ES module, and its
    // results are site-relative, so a site hosted under a sub-path needs both
    // spelled out from where this page actually is.
    var base = new URL(holder.getAttribute("data-bundle"), location.href).href;
    var siteRoot = new URL(".", location.href).pathname;
    var css = document.createElement("link");
    css.rel = "stylesheet";
    css.href = base + "pagefind-ui.css";
    document.head.appendChild(css);
    var script = document.createElement("script");
    script.src = base + "pagefind-ui.js";
    script.onload = function () {
      /* global PagefindUI */
      var ui = new PagefindUI({
        element: holder,
        bundlePath: base,
        baseUrl: siteRoot,
        showSubResults: true,
        resetStyles: false,
        translations: { placeholder: "搜索本书", zero_results: "没有找到 [SEARCH_TERM]" }
      });
      // Pagefind's input has a placeholder but no label.
      var input = holder.querySelector("input[type=text], input[type=search]");
      if (input) { input.setAttribute("aria-label", "搜索本书"); }
      var q = new URLSearchParams(location.search).get("q");
      if (q) { ui.triggerSearch(q); }
    };
    document.head.appendChild(script);
  }

  function start() {
    SWITCHES.forEach(setUpSwitch);
    setUpNotes();
    setUpSearch();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
