/*
 * briefing: offline search (no framework, no fetch: works from file://).
 *
 * The index (see briefing/search.py) is a set of small scripts under
 * <root>/search/ that call briefingSearch.m/t/d/x/n(...) when loaded:
 *   search/index.js      manifest      briefingSearch.m({...})
 *   search/t/<key>.js    term shard    briefingSearch.t(key, [term, entry, ...], [[id, row], ...])
 *   search/d/<n>.js      doc table     briefingSearch.d(n, [[kind, title, url, date, label, aliases], ...])
 *   search/x/<n>.js      doc texts     briefingSearch.x(n, [[summary, body], ...])
 *                        (documents n*xc .. n*xc+xc-1, xc from the manifest)
 *   search/n/<n>.js      doc names     briefingSearch.n(n, [[names, tags], ...])
 *                        (documents n*nc .. n*nc+nc-1, nc from the manifest)
 *
 * Enhances every form.site-search: a combobox of suggestions as you type
 * (ARIA 1.2 combobox + listbox, arrows move, Enter opens, Escape closes).
 * On the search page (#search-results) it renders the results of ?q=.
 * UI strings come from data- attributes of #search-results or of the form
 * (data-no-results, data-kind-person, ...), with English fallbacks.
 *
 * For measuring and tests: briefingSearch.query(q, {limit, offset}) returns a
 * Promise of {query, terms, total, ids, hits}; briefingSearch.loaded lists the
 * index files loaded so far.
 *
 * This file is pure ASCII on purpose (non-ASCII is written as \u escapes), so
 * it does not depend on the charset it is served or opened with.
 */
(function () {
  "use strict";
  if (window.briefingSearch && window.briefingSearch.query) {
    return;
  }

  /* ------------------------------------------------------------------ URLs */

  var TAIL = /assets\/search\.js(?:[?#].*)?$/;
  var me = document.currentScript;
  if (!me) {
    var all = document.querySelectorAll("script[src]");
    for (var si = 0; si < all.length; si++) {
      if (TAIL.test(all[si].src)) {
        me = all[si];
      }
    }
  }
  var srcAbs = me ? me.src : "";
  var srcAttr = me ? me.getAttribute("src") || "" : "";
  var rootAbs = TAIL.test(srcAbs) ? srcAbs.replace(TAIL, "") : new URL("../", srcAbs || location.href).href;
  /* Prefix that turns a path from the site root into a link from this page
     (relative like "../" when the page included us with a relative src). */
  var root = TAIL.test(srcAttr) ? srcAttr.replace(TAIL, "") : rootAbs;
  var base = rootAbs + "search/";

  /* --------------------------------------------------------------- loading */

  var store = { m: null, t: {}, d: {}, x: {}, n: {}, rows: new Map() };
  var pending = {};
  var loaded = [];

  function load(path) {
    if (pending[path]) {
      return pending[path];
    }
    var promise = new Promise(function (resolve, reject) {
      var s = document.createElement("script");
      s.src = base + path;
      s.async = true;
      s.onload = function () {
        loaded.push(path);
        s.remove();
        resolve();
      };
      s.onerror = function () {
        s.remove();
        delete pending[path];
        reject(new Error("briefing search: cannot load " + path));
      };
      (document.head || document.documentElement).appendChild(s);
    });
    pending[path] = promise;
    return promise;
  }

  var manifest = null;
  var shardSet = null;
  var splitSet = null;
  var stopSet = null;

  function ready() {
    if (manifest) {
      return Promise.resolve(manifest);
    }
    return load("index.js").then(function () {
      if (!store.m) {
        throw new Error("briefing search: bad manifest");
      }
      manifest = store.m;
      shardSet = new Set(manifest.s);
      splitSet = new Set(manifest.sp || []);
      stopSet = new Set(manifest.sw);
      return manifest;
    });
  }

  /* ------------------------------------------------------ folding, tokens */

  var STRIP = /[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f\u064b-\u065f\u0670]/g;
  var SPECIAL = {
    "\u00df": "ss",
    "\u00e6": "ae",
    "\u0153": "oe",
    "\u00f8": "o",
    "\u0142": "l",
    "\u0111": "d",
    "\u00f0": "d",
    "\u00fe": "th",
    "\u0131": "i",
    "\u03c2": "\u03c3",
    "\u0127": "h"
  };
  var SPECIAL_RE = /[\u00df\u00e6\u0153\u00f8\u0142\u0111\u00f0\u00fe\u0131\u03c2\u0127]/g;
  var CJK =
    "\\u1100-\\u11ff\\u2e80-\\u2fdf\\u3005-\\u3007\\u3040-\\u30ff\\u3100-\\u318f\\u31a0-\\u31ff" +
    "\\u3400-\\u4dbf\\u4e00-\\u9fff\\ua960-\\ua97f\\uac00-\\ud7af\\ud7b0-\\ud7ff\\uf900-\\ufaff" +
    "\\u{20000}-\\u{3134f}";
  var CJK_SEG = new RegExp("[" + CJK + "]+|[^" + CJK + "]+", "gu");
  var CJK_START = new RegExp("^[" + CJK + "]", "u");
  var WORD = /[\p{L}\p{N}\p{M}]+/gu;
  var NOT_WORD_END = /[^\p{L}\p{N}\p{M}]$/u;
  var DIGITS = /^\p{Nd}+$/u;

  function fold(s) {
    return s
      .normalize("NFKD")
      .replace(STRIP, "")
      .normalize("NFC")
      .toLowerCase()
      .replace(SPECIAL_RE, function (c) {
        return SPECIAL[c];
      });
  }

  function words(text) {
    return text.match(WORD) || [];
  }

  /* Folded segments of one word: [{s, cjk}] (same cuts as search.py). */
  var segmentCache = new Map();

  function segments(word) {
    var cached = segmentCache.get(word);
    if (cached) {
      return cached;
    }
    if (segmentCache.size > 20000) {
      segmentCache.clear();
    }
    var out = [];
    segmentCache.set(word, out);
    words(fold(word)).forEach(function (run) {
      (run.match(CJK_SEG) || []).forEach(function (seg) {
        out.push({ s: seg, cjk: CJK_START.test(seg) });
      });
    });
    return out;
  }

  function cpLength(s) {
    return Array.from(s).length;
  }

  /* Query terms: {t, raw, prefix, required, shard}. */
  function parseQuery(q) {
    var text = String(q || "").normalize("NFC");
    var ws = words(text);
    var finished = NOT_WORD_END.test(text);
    var terms = [];
    var seen = {};
    function add(term) {
      var key = term.t + "\u0000" + term.prefix + "\u0000" + term.raw;
      if (!seen[key]) {
        seen[key] = true;
        terms.push(term);
      }
    }
    ws.forEach(function (word, wi) {
      var last = wi === ws.length - 1 && !finished;
      var segs = segments(word);
      segs.forEach(function (seg) {
        if (seg.cjk) {
          var chars = Array.from(seg.s);
          if (chars.length === 1) {
            add({ t: chars[0], raw: null, prefix: false, required: true });
          }
          for (var i = 0; i + 1 < chars.length; i++) {
            add({ t: chars[i] + chars[i + 1], raw: null, prefix: false, required: true });
          }
          return;
        }
        var n = cpLength(seg.s);
        if (n < 2 || (DIGITS.test(seg.s) && n > 4)) {
          return;
        }
        var raw = segs.length === 1 ? word.toLowerCase() : null;
        if (stopSet && stopSet.has(seg.s)) {
          /* A stop-word is not indexed: while it is being typed it may be the
             start of another word, so it stays as an optional prefix. */
          if (last) {
            add({ t: seg.s, raw: raw, prefix: true, required: false });
          }
          return;
        }
        add({ t: seg.s, raw: raw, prefix: true, required: true });
      });
    });
    if (!terms.some(function (t) { return t.required; })) {
      terms.forEach(function (t) {
        t.required = true;
      });
    }
    terms.forEach(function (t) {
      t.shard = shardFor(t.t);
    });
    return terms;
  }

  var RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])$/;

  /* File name of a shard key (same as shard_name() in search.py). */
  function shardName(key) {
    if (/^[a-z0-9]+$/.test(key) && !RESERVED.test(key)) {
      return key;
    }
    return (
      "u-" +
      Array.from(key)
        .map(function (c) {
          return c.codePointAt(0).toString(16);
        })
        .join("-")
    );
  }

  /* Shard file holding a term: its 2-character prefix (1 for CJK), one
     character deeper for every split level (same as shard_for() in search.py). */
  function shardFor(term) {
    var chars = Array.from(term);
    var n = CJK_START.test(term) ? 1 : 2;
    var name = shardName(chars.slice(0, n).join(""));
    while (splitSet && splitSet.has(name) && chars.length > n) {
      n++;
      name = shardName(chars.slice(0, n).join(""));
    }
    return name;
  }

  /* --------------------------------------------------------------- ranking */

  var PREFIX_FACTOR = 0.6;
  var ACCENT_FACTOR = 1.15;
  var scoreCache = new Map();

  function lowerBound(flat, t) {
    var lo = 0;
    var hi = flat.length / 2;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if (flat[2 * mid] < t) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /* Best score of each document for one query term. */
  function termScores(term) {
    var cacheKey = term.shard + "\u0000" + term.t + "\u0000" + term.prefix + "\u0000" + term.raw;
    var cached = scoreCache.get(cacheKey);
    if (cached) {
      return cached;
    }
    var n = manifest.n;
    var weights = manifest.w;
    var scores = new Float64Array(n);
    var flat = store.t[term.shard] || [];
    var count = flat.length / 2;
    /* Accent bonus only when the user typed a spelling that folding changes
       ("jap\u00f3n"): "japon" carries no preference. */
    var raw = term.raw !== null && term.raw !== term.t ? term.raw : null;
    for (var i = lowerBound(flat, term.t); i < count; i++) {
      var key = flat[2 * i];
      var exact = key === term.t;
      if (!exact && !(term.prefix && key.lastIndexOf(term.t, 0) === 0)) {
        break;
      }
      var entry = flat[2 * i + 1];
      var factor = exact ? 1 : PREFIX_FACTOR;
      var mainOk = false;
      var minority = null;
      if (raw !== null) {
        var main = entry.length > 4 && entry[4] ? entry[4] : key;
        mainOk = main.lastIndexOf(raw, 0) === 0;
        if (entry.length > 5) {
          minority = new Map();
          var pairs = entry[5];
          for (var p = 0; p < pairs.length; p += 2) {
            var ok = pairs[p].lastIndexOf(raw, 0) === 0;
            var mid = 0;
            for (var q = 0; q < pairs[p + 1].length; q++) {
              mid += pairs[p + 1][q];
              minority.set(mid, ok);
            }
          }
        }
      }
      var tiers = Math.min(entry.length, 4);
      for (var tier = 0; tier < tiers; tier++) {
        var list = entry[tier];
        var w = weights[tier] * factor;
        var wAccent = w * ACCENT_FACTOR;
        var id = 0;
        for (var j = 0; j < list.length; j++) {
          id += list[j];
          var s = w;
          if (raw !== null) {
            var accentOk = minority !== null && minority.has(id) ? minority.get(id) : mainOk;
            if (accentOk) {
              s = wAccent;
            }
          }
          if (s > scores[id]) {
            scores[id] = s;
          }
        }
      }
    }
    if (scoreCache.size > 24) {
      scoreCache.delete(scoreCache.keys().next().value);
    }
    scoreCache.set(cacheKey, scores);
    return scores;
  }

  /* Ranked document ids for parsed terms whose shards are loaded. */
  function rank(terms) {
    var n = manifest.n;
    var total = new Float64Array(n);
    var hits = new Uint8Array(n);
    var need = 0;
    terms.forEach(function (term) {
      var scores = termScores(term);
      if (term.required) {
        need++;
      }
      for (var i = 0; i < n; i++) {
        if (scores[i] > 0) {
          total[i] += scores[i];
          if (term.required) {
            hits[i]++;
          }
        }
      }
    });
    var ids = [];
    if (need === 0) {
      return { ids: ids, scores: total };
    }
    for (var i = 0; i < n; i++) {
      if (hits[i] === need) {
        ids.push(i);
      }
    }
    ids.sort(function (a, b) {
      return total[b] - total[a] || a - b;
    });
    return { ids: ids, scores: total };
  }

  /* Document rows of ids: from the shards that carried them, else from the
     document chunks. */
  function loadDocs(ids) {
    var size = manifest.dc;
    var chunks = {};
    ids.forEach(function (id) {
      if (!store.rows.has(id)) {
        chunks[Math.floor(id / size)] = true;
      }
    });
    return Promise.all(
      Object.keys(chunks).map(function (c) {
        return load("d/" + c + ".js");
      })
    ).then(function () {
      return ids.map(function (id) {
        var row = store.rows.get(id) || store.d[Math.floor(id / size)][id % size];
        return {
          id: id,
          kind: manifest.k[row[0]],
          title: row[1],
          url: row[2],
          href: root + row[2],
          date: row[3],
          dateLabel: row[4],
          aliases: row[5] || []
        };
      });
    });
  }

  /* A document's text for snippets, [summary, body, names, tags], from its
     text chunk and its name chunk. */
  function loadText(id) {
    return Promise.all([
      load("x/" + Math.floor(id / manifest.xc) + ".js"),
      load("n/" + Math.floor(id / manifest.nc) + ".js")
    ]).then(function () {
      var text = store.x[id] || [];
      var names = store.n[id] || [];
      return [text[0], text[1], names[0], names[1]];
    });
  }

  /* query(q, {limit, offset}) -> Promise<{query, terms, total, ids, hits}> */
  function query(q, opts) {
    opts = opts || {};
    var limit = opts.limit === undefined ? 20 : opts.limit;
    var offset = opts.offset || 0;
    return ready().then(function () {
      var terms = parseQuery(q);
      var usable = [];
      for (var i = 0; i < terms.length; i++) {
        if (shardSet.has(terms[i].shard)) {
          usable.push(terms[i]);
        } else if (terms[i].required) {
          usable = null;
          break;
        }
      }
      var empty = { query: q, terms: terms, total: 0, ids: [], hits: [] };
      if (!usable || !usable.length) {
        return empty;
      }
      return Promise.all(
        usable.map(function (t) {
          return load("t/" + t.shard + ".js");
        })
      ).then(function () {
        var ranked = rank(usable);
        var page = ranked.ids.slice(offset, offset + limit);
        return loadDocs(page).then(function (hits) {
          hits.forEach(function (h) {
            h.score = ranked.scores[h.id];
          });
          return { query: q, terms: terms, total: ranked.ids.length, ids: ranked.ids, hits: hits };
        });
      });
    });
  }

  /* ------------------------------------------------- highlight, snippets */

  function escapeHtml(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  /* Ranges [start, end, termIndex] of the words of text that match terms. */
  function matchRanges(text, terms) {
    var out = [];
    if (!terms.length) {
      return out;
    }
    var re = new RegExp(WORD.source, "gu");
    var m;
    while ((m = re.exec(text)) !== null) {
      var word = m[0];
      var segs = segments(word);
      var folded = null;
      for (var ti = 0; ti < terms.length; ti++) {
        var term = terms[ti];
        if (CJK_START.test(term.t)) {
          folded = folded === null ? fold(word) : folded;
          var at = folded.indexOf(term.t);
          while (at >= 0) {
            if (folded.length === word.length) {
              out.push([m.index + at, m.index + at + term.t.length, ti]);
            } else {
              out.push([m.index, m.index + word.length, ti]);
              break;
            }
            at = folded.indexOf(term.t, at + 1);
          }
        } else {
          for (var k = 0; k < segs.length; k++) {
            var seg = segs[k].s;
            if (!segs[k].cjk && (term.prefix ? seg.lastIndexOf(term.t, 0) === 0 : seg === term.t)) {
              out.push([m.index, m.index + word.length, ti]);
              break;
            }
          }
        }
      }
    }
    out.sort(function (a, b) {
      return a[0] - b[0] || b[1] - a[1];
    });
    return out;
  }

  /* HTML of text[start:end] with the given ranges wrapped in <mark>. */
  function markHtml(text, ranges, start, end) {
    var html = "";
    var pos = start;
    ranges.forEach(function (r) {
      var a = Math.max(r[0], pos);
      var b = Math.min(r[1], end);
      if (b <= a) {
        return;
      }
      html += escapeHtml(text.slice(pos, a)) + "<mark>" + escapeHtml(text.slice(a, b)) + "</mark>";
      pos = b;
    });
    return html + escapeHtml(text.slice(pos, end));
  }

  function highlight(text, terms) {
    return markHtml(text, matchRanges(text, terms), 0, text.length);
  }

  var ELLIPSIS = "\u2026";

  function cut(text, length) {
    if (text.length <= length) {
      return escapeHtml(text);
    }
    var end = text.lastIndexOf(" ", length);
    return escapeHtml(text.slice(0, end > length / 2 ? end : length)) + ELLIPSIS;
  }

  /* Snippet HTML (about `length` characters) around the best cluster of matches. */
  function snippet(text, terms, length) {
    length = length || 220;
    var ranges = matchRanges(text, terms);
    if (!ranges.length) {
      return null;
    }
    var best = 0;
    var bestCount = -1;
    for (var i = 0; i < ranges.length; i++) {
      var distinct = {};
      var count = 0;
      for (var j = i; j < ranges.length && ranges[j][1] <= ranges[i][0] + length * 0.7; j++) {
        if (!distinct[ranges[j][2]]) {
          distinct[ranges[j][2]] = true;
          count++;
        }
      }
      if (count > bestCount) {
        bestCount = count;
        best = i;
      }
    }
    var first = ranges[best][0];
    var start = Math.max(0, first - 60);
    if (start > 0) {
      var space = text.indexOf(" ", start);
      start = space >= 0 && space < first ? space + 1 : first;
    }
    var end = start + length;
    if (end >= text.length) {
      end = text.length;
    } else {
      var back = text.lastIndexOf(" ", end);
      end = back > ranges[best][1] ? back : Math.max(end, ranges[best][1]);
    }
    return (
      (start > 0 ? ELLIPSIS : "") +
      markHtml(text, ranges, start, end) +
      (end < text.length ? ELLIPSIS : "")
    );
  }

  /* Snippet of a document text [summary, body, names, tags]: around the
     matches in summary and body; else, when the title does not show the match
     either, the matching names and tags, then the start of the text. */
  function docSnippet(doc, terms, title) {
    var summary = doc[0] || "";
    var body = doc[1] || "";
    var text = summary && body ? summary + " " + body : summary || body;
    var html = snippet(text, terms);
    if (html !== null) {
      return html;
    }
    var lead = cut(text, 200);
    if (title && matchRanges(title, terms).length) {
      return lead;
    }
    var seen = {};
    seen[fold(title || "")] = true;
    var extra = (doc[2] || []).concat(doc[3] || []).filter(function (n) {
      var key = fold(n);
      if (seen[key] || !matchRanges(n, terms).length) {
        return false;
      }
      seen[key] = true;
      return true;
    });
    if (extra.length) {
      return (
        extra
          .map(function (n) {
            return highlight(n, terms);
          })
          .join(" \u00b7 ") + (lead ? " \u2014 " + lead : "")
      );
    }
    return lead;
  }

  /* -------------------------------------------------------------- strings */

  var FALLBACK = {
    noResults: "No results for \u201c{q}\u201d.",
    resultsCount: "{n} results for \u201c{q}\u201d",
    resultsOne: "1 result for \u201c{q}\u201d",
    more: "Show more results",
    allResults: "All results for \u201c{q}\u201d",
    loading: "Searching\u2026",
    error: "Search is not available.",
    shortQuery: "Type at least two letters.",
    suggestionsLabel: "Suggestions",
    suggestionsCount: "{n} suggestions",
    kindBriefing: "Briefing",
    kindPerson: "Person",
    kindCountry: "Country",
    kindOrganization: "Organization",
    kindTag: "Tag"
  };

  function strings(form) {
    var results = document.getElementById("search-results");
    return function (key, vars) {
      var s =
        (results && results.dataset[key]) || (form && form.dataset[key]) || FALLBACK[key] || key;
      vars = vars || {};
      return s.replace(/\{(\w+)\}/g, function (all, name) {
        return name in vars ? vars[name] : all;
      });
    };
  }

  function kindLabel(str, kind) {
    return str("kind" + kind.charAt(0).toUpperCase() + kind.slice(1));
  }

  function formatNumber(n) {
    try {
      return n.toLocaleString(document.documentElement.lang || undefined);
    } catch (e) {
      return String(n);
    }
  }

  function searchUrl(form, q) {
    var action = form.getAttribute("action") || root + "search.html";
    return action.split("?")[0] + "?q=" + encodeURIComponent(q);
  }

  /* ------------------------------------------------------------ combobox */

  var STYLE =
    ":where(form.site-search){position:relative}" +
    ":where(.site-search-suggestions){position:absolute;z-index:1000;top:100%;left:0;" +
    "min-width:100%;width:max-content;max-width:min(34em,94vw);max-height:70vh;overflow:auto;" +
    "margin:.25em 0 0;padding:.25em 0;list-style:none;background:Canvas;color:CanvasText;" +
    "border:1px solid GrayText;border-radius:.3em;box-shadow:0 .3em 1em rgba(0,0,0,.2);text-align:start}" +
    ":where(.site-search-suggestions[hidden]){display:none}" +
    ":where(.site-search-suggestions [role=option]){display:block;padding:.35em .7em;cursor:pointer}" +
    ":where(.site-search-suggestions [role=option] a){color:inherit;text-decoration:none;display:block}" +
    ":where(.site-search-suggestions [aria-selected=true]){background:Highlight;color:HighlightText}" +
    ":where(.site-search-suggestions [aria-disabled=true]){cursor:default;opacity:.8}" +
    ":where(.site-search-option-meta,.site-search-option-alias){font-size:.85em;opacity:.85}" +
    ":where(.site-search-option-meta){display:block}" +
    ":where(.site-search-status){position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}";

  function injectStyle() {
    if (document.getElementById("briefing-search-style")) {
      return;
    }
    var style = document.createElement("style");
    style.id = "briefing-search-style";
    style.textContent = STYLE;
    var head = document.head || document.documentElement;
    head.insertBefore(style, head.firstChild);
  }

  var uid = 0;

  function enhanceCombobox(form, input) {
    var str = strings(form);
    var id = (input.id || "search") + "-suggestions-" + uid++;
    var list = document.createElement("ul");
    list.id = id;
    list.className = "site-search-suggestions";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", str("suggestionsLabel"));
    list.hidden = true;
    var status = document.createElement("div");
    status.className = "site-search-status";
    status.setAttribute("role", "status");
    form.appendChild(list);
    form.appendChild(status);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", id);

    var options = [];
    var active = -1;
    var seq = 0;
    var timer = 0;

    function open() {
      if (options.length) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
      }
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      setActive(-1);
    }

    function setActive(i) {
      if (active >= 0 && options[active]) {
        options[active].setAttribute("aria-selected", "false");
      }
      active = i;
      if (i >= 0 && options[i]) {
        options[i].setAttribute("aria-selected", "true");
        input.setAttribute("aria-activedescendant", options[i].id);
        if (options[i].scrollIntoView) {
          options[i].scrollIntoView({ block: "nearest" });
        }
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function move(delta) {
      var enabled = [];
      options.forEach(function (o, i) {
        if (o.getAttribute("aria-disabled") !== "true") {
          enabled.push(i);
        }
      });
      if (!enabled.length) {
        return;
      }
      var at = enabled.indexOf(active);
      if (at < 0) {
        at = delta > 0 ? 0 : enabled.length - 1;
      } else {
        at = (at + delta + enabled.length) % enabled.length;
      }
      setActive(enabled[at]);
    }

    function option(html, href, extraClass) {
      var li = document.createElement("li");
      li.id = id + "-" + options.length;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      li.className = "site-search-option" + (extraClass ? " " + extraClass : "");
      if (href) {
        li.setAttribute("data-href", href);
        li.innerHTML = html;
      } else {
        li.setAttribute("aria-disabled", "true");
        li.innerHTML = html;
      }
      options.push(li);
      list.appendChild(li);
      return li;
    }

    function render(res) {
      list.textContent = "";
      options = [];
      active = -1;
      input.removeAttribute("aria-activedescendant");
      var q = res.query.trim();
      res.hits.forEach(function (hit) {
        var title = highlight(hit.title, res.terms);
        var html = '<span class="site-search-option-title">' + title + "</span>";
        if (title.indexOf("<mark>") < 0) {
          var alias = hit.aliases.filter(function (n) {
            return matchRanges(n, res.terms).length > 0;
          })[0];
          if (alias) {
            html += ' <span class="site-search-option-alias">(' + highlight(alias, res.terms) + ")</span>";
          }
        }
        var meta = escapeHtml(kindLabel(str, hit.kind));
        if (hit.dateLabel || hit.date) {
          meta += " \u00b7 " + escapeHtml(hit.dateLabel || hit.date);
        }
        html += '<span class="site-search-option-meta">' + meta + "</span>";
        option(html, hit.href, "site-search-option-" + hit.kind);
      });
      if (res.total > 0) {
        option(escapeHtml(str("allResults", { q: q })), searchUrl(form, q), "site-search-all");
        status.textContent = str("suggestionsCount", { n: formatNumber(res.hits.length) });
      } else {
        option(escapeHtml(str("noResults", { q: q })), null, "site-search-empty");
        status.textContent = str("noResults", { q: q });
      }
      if (document.activeElement === input) {
        open();
      }
    }

    function update() {
      var q = input.value;
      var mine = ++seq;
      if (!q.trim()) {
        list.textContent = "";
        options = [];
        status.textContent = "";
        close();
        return;
      }
      query(q, { limit: 8 }).then(
        function (res) {
          if (mine !== seq) {
            return;
          }
          if (!res.terms.length) {
            close();
            return;
          }
          render(res);
        },
        function () {
          if (mine !== seq) {
            return;
          }
          list.textContent = "";
          options = [];
          option(escapeHtml(str("error")), null, "site-search-empty");
          open();
        }
      );
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(update, 60);
    });
    input.addEventListener("focus", function () {
      ready().catch(function () {});
      if (input.value.trim() && options.length) {
        open();
      }
    });
    input.addEventListener("blur", function () {
      setTimeout(function () {
        if (document.activeElement !== input) {
          close();
        }
      }, 150);
    });
    input.addEventListener("keydown", function (e) {
      if (e.isComposing) {
        return;
      }
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        if (list.hidden) {
          if (!options.length) {
            update();
            return;
          }
          open();
        }
        move(e.key === "ArrowDown" ? 1 : -1);
      } else if (e.key === "Enter") {
        if (!list.hidden && active >= 0) {
          var target = options[active].getAttribute("data-href");
          if (target) {
            e.preventDefault();
            window.location.href = target;
          }
        }
      } else if (e.key === "Escape") {
        if (!list.hidden) {
          e.preventDefault();
          close();
        }
      } else if (e.key === "Tab") {
        close();
      }
    });
    list.addEventListener("mousedown", function (e) {
      e.preventDefault();
    });
    list.addEventListener("click", function (e) {
      var li = e.target.closest ? e.target.closest("[data-href]") : null;
      if (li) {
        window.location.href = li.getAttribute("data-href");
      }
    });
    list.addEventListener("mousemove", function (e) {
      var li = e.target.closest ? e.target.closest("[role=option]") : null;
      var i = options.indexOf(li);
      if (i >= 0 && i !== active && li.getAttribute("aria-disabled") !== "true") {
        setActive(i);
      }
    });
  }

  /* ---------------------------------------------------------- search page */

  function initSearchPage(container, forms) {
    var str = strings(forms[0] ? forms[0].form : null);
    var seq = 0;
    var timer = 0;
    var shown = 0;
    var current = null;

    function setAll(value, except) {
      forms.forEach(function (f) {
        if (f.input !== except) {
          f.input.value = value;
        }
      });
    }

    function updateUrl(q) {
      try {
        history.replaceState(null, "", "?q=" + encodeURIComponent(q));
      } catch (e) {
        /* some browsers refuse it for file:// pages; the results still show */
      }
    }

    function resultItem(hit, terms) {
      var li = document.createElement("li");
      li.className = "search-result search-result-" + hit.kind;
      var a = document.createElement("a");
      a.className = "search-result-title";
      a.href = hit.href;
      a.innerHTML = highlight(hit.title, terms);
      li.appendChild(a);
      var meta = document.createElement("div");
      meta.className = "search-result-meta";
      var kind = document.createElement("span");
      kind.className = "search-result-kind";
      kind.textContent = kindLabel(str, hit.kind);
      meta.appendChild(kind);
      if (hit.date) {
        meta.appendChild(document.createTextNode(" \u00b7 "));
        var time = document.createElement("time");
        time.dateTime = hit.date;
        time.textContent = hit.dateLabel || hit.date;
        meta.appendChild(time);
      } else if (hit.dateLabel) {
        /* actors: the label is free text, e.g. how many briefings name them */
        meta.appendChild(document.createTextNode(" \u00b7 "));
        var label = document.createElement("span");
        label.className = "search-result-label";
        label.textContent = hit.dateLabel;
        meta.appendChild(label);
      }
      li.appendChild(meta);
      var p = document.createElement("p");
      p.className = "search-result-snippet";
      li.appendChild(p);
      loadText(hit.id).then(
        function (doc) {
          p.innerHTML = docSnippet(doc, terms, hit.title);
        },
        function () {
          p.remove();
        }
      );
      return li;
    }

    function showMore(list, button) {
      var res = current;
      var mine = seq;
      button.disabled = true;
      query(res.query, { limit: 20, offset: shown }).then(function (more) {
        if (mine !== seq) {
          return;
        }
        var firstNew = null;
        more.hits.forEach(function (hit) {
          var li = resultItem(hit, more.terms);
          firstNew = firstNew || li;
          list.appendChild(li);
        });
        shown += more.hits.length;
        button.disabled = false;
        if (shown >= more.total) {
          button.remove();
        }
        if (firstNew) {
          firstNew.querySelector("a").focus();
        }
      });
    }

    function run(q) {
      var mine = ++seq;
      if (!q.trim()) {
        container.textContent = "";
        return;
      }
      container.setAttribute("aria-busy", "true");
      if (!container.firstChild) {
        var loading = document.createElement("p");
        loading.className = "search-summary search-loading";
        loading.textContent = str("loading");
        container.appendChild(loading);
      }
      query(q, { limit: 20 }).then(
        function (res) {
          if (mine !== seq) {
            return;
          }
          current = res;
          shown = res.hits.length;
          container.textContent = "";
          container.removeAttribute("aria-busy");
          var summary = document.createElement("p");
          summary.className = "search-summary";
          var qt = q.trim();
          if (!res.terms.length) {
            summary.textContent = str("shortQuery");
          } else if (!res.total) {
            summary.textContent = str("noResults", { q: qt });
          } else if (res.total === 1) {
            summary.textContent = str("resultsOne", { q: qt, n: "1" });
          } else {
            summary.textContent = str("resultsCount", { q: qt, n: formatNumber(res.total) });
          }
          container.appendChild(summary);
          if (!res.total) {
            return;
          }
          var list = document.createElement("ol");
          list.className = "search-results-list";
          res.hits.forEach(function (hit) {
            list.appendChild(resultItem(hit, res.terms));
          });
          container.appendChild(list);
          if (res.total > shown) {
            var button = document.createElement("button");
            button.type = "button";
            button.className = "search-more";
            button.textContent = str("more");
            button.addEventListener("click", function () {
              showMore(list, button);
            });
            container.appendChild(button);
          }
        },
        function () {
          if (mine !== seq) {
            return;
          }
          container.removeAttribute("aria-busy");
          container.textContent = str("error");
        }
      );
    }

    var params = new URLSearchParams(location.search);
    var initial = params.get("q") || "";
    setAll(initial, null);
    forms.forEach(function (f) {
      f.form.addEventListener("submit", function (e) {
        e.preventDefault();
        clearTimeout(timer);
        setAll(f.input.value, f.input);
        updateUrl(f.input.value);
        run(f.input.value);
      });
      f.input.addEventListener("input", function () {
        clearTimeout(timer);
        timer = setTimeout(function () {
          setAll(f.input.value, f.input);
          updateUrl(f.input.value);
          run(f.input.value);
        }, 200);
      });
    });
    run(initial);
  }

  /* ------------------------------------------------------------------ init */

  function init() {
    var forms = [];
    var nodes = document.querySelectorAll("form.site-search");
    for (var i = 0; i < nodes.length; i++) {
      var input = nodes[i].querySelector('input[type="search"], input[name="q"]');
      if (input && !input.hasAttribute("data-search-ready")) {
        input.setAttribute("data-search-ready", "");
        forms.push({ form: nodes[i], input: input });
      }
    }
    var results = document.getElementById("search-results");
    if (results) {
      initSearchPage(results, forms);
    } else if (forms.length) {
      injectStyle();
      forms.forEach(function (f) {
        enhanceCombobox(f.form, f.input);
      });
      /* The manifest is small (a few KB): load it when the page is idle so the
         first keystroke only waits for its shard. */
      var idle = window.requestIdleCallback || function (fn) { return setTimeout(fn, 1000); };
      idle(function () {
        ready().catch(function () {});
      });
    }
    document.addEventListener("keydown", function (e) {
      if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey || !forms.length) {
        return;
      }
      var t = e.target;
      if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) {
        return;
      }
      e.preventDefault();
      forms[0].input.focus();
    });
  }

  window.briefingSearch = {
    m: function (data) {
      store.m = data;
    },
    t: function (name, flat, rows) {
      store.t[name] = flat;
      (rows || []).forEach(function (row) {
        store.rows.set(row[0], row.slice(1));
      });
    },
    d: function (n, rows) {
      store.d[n] = rows;
    },
    x: function (n, docs) {
      var size = store.m.xc;
      docs.forEach(function (doc, k) {
        store.x[n * size + k] = doc;
      });
    },
    n: function (n, docs) {
      var size = store.m.nc;
      docs.forEach(function (doc, k) {
        store.n[n * size + k] = doc;
      });
    },
    query: query,
    parse: function (q) {
      return ready().then(function () {
        return parseQuery(q);
      });
    },
    fold: fold,
    highlight: highlight,
    snippet: function (id, q) {
      return ready().then(function () {
        return Promise.all([loadText(id), loadDocs([id])]).then(function (all) {
          return docSnippet(all[0], parseQuery(q), all[1][0].title);
        });
      });
    },
    loaded: loaded,
    base: base,
    root: root
  };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
