// The fleet page's charts, drawn from the JSON in #fleet-data. Every string from the data is
// written with textContent or setAttribute, never parsed as markup.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("fleet-data").textContent);
  var dims = data.dimensions;
  var repos = data.repos;
  var SVG = "http://www.w3.org/2000/svg";
  var COLOURS = ["#d73027", "#fc8d59", "#91cf60", "#1a9850"];
  var NAMES = ["manual process", "ML pipeline automation", "CI/CD for ML", "full automation"];
  var state = { sort: "name", descending: false, filter: "" };

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function svg(tag, attrs, text) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function levelOf(repo, key) {
    if (key === "overall") return repo.level;
    var value = repo.profile[key];
    return value === undefined ? null : value;
  }
  function needs(repo, check) {
    return repo.next_steps.some(function (m) {
      return m.checks.some(function (c) { return c.id === check; });
    });
  }

  // -- heatmap ---------------------------------------------------------------------------
  var columns = [{ id: "name", title: "repository" }, { id: "overall", title: "overall" }]
    .concat(dims.map(function (d) { return { id: d.id, title: d.title }; }));
  var sortSelect = document.getElementById("sort");
  columns.forEach(function (c) {
    sortSelect.appendChild(el("option", { value: c.id }, c.title));
  });

  function visible() {
    var term = state.filter.toLowerCase();
    return repos.filter(function (r) {
      if (!term) return true;
      return r.name.toLowerCase().indexOf(term) >= 0 || needs(r, state.filter);
    });
  }
  function sorted(list) {
    var key = state.sort;
    var sign = state.descending ? -1 : 1;
    return list.slice().sort(function (a, b) {
      var x, y;
      if (key === "name") {
        x = a.name.toLowerCase(); y = b.name.toLowerCase();
      } else {
        x = levelOf(a, key); y = levelOf(b, key);
        x = x === null ? -1 : x; y = y === null ? -1 : y;
      }
      if (x < y) return -sign;
      if (x > y) return sign;
      return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
    });
  }
  function drawHeatmap() {
    var table = document.getElementById("heatmap");
    var head = table.tHead;
    head.textContent = "";
    var tr = el("tr");
    columns.forEach(function (c) {
      var th = el("th", { "data-sort": c.id, scope: "col", title: "sort by " + c.title }, c.title);
      if (state.sort === c.id) th.setAttribute("aria-sort", state.descending ? "descending" : "ascending");
      th.addEventListener("click", function () {
        state.descending = state.sort === c.id ? !state.descending : c.id !== "name";
        state.sort = c.id;
        sortSelect.value = c.id;
        drawHeatmap();
      });
      tr.appendChild(th);
    });
    head.appendChild(tr);
    var body = table.tBodies[0];
    body.textContent = "";
    var shown = sorted(visible());
    shown.forEach(function (repo) {
      var row = el("tr", { "data-repo": repo.name });
      if (repo.error) row.className = "error";
      // the folder's name, the whole path on hover (a fleet's paths share a long prefix)
      var short = repo.name.replace(/\/+$/, "").split("/").pop() || repo.name;
      var name = el("td", { "class": "name", title: repo.name });
      if (repo.report) {
        name.appendChild(el("a", { href: repo.report, title: "assess report of " + repo.name }, short));
      } else {
        name.appendChild(el("span", {}, short));
      }
      if (repo.error) name.appendChild(el("div", { "class": "note error", title: repo.error }, repo.error));
      row.appendChild(name);
      ["overall"].concat(dims.map(function (d) { return d.id; })).forEach(function (key) {
        var level = levelOf(repo, key);
        var cell = el("td", {
          "class": "cell " + (level === null ? "lnone" : "l" + level),
          "data-dimension": key,
          "data-level": level === null ? "" : String(level),
          title: level === null ? "not assessed" : key + ": level " + level + " (" + NAMES[level] + ")"
        }, level === null ? "–" : level);
        row.appendChild(cell);
      });
      body.appendChild(row);
    });
    document.getElementById("shown").textContent =
      shown.length + " of " + repos.length + " repositories shown";
  }
  sortSelect.addEventListener("change", function () {
    state.sort = sortSelect.value;
    state.descending = state.sort !== "name";
    drawHeatmap();
  });
  var filter = document.getElementById("filter");
  filter.addEventListener("input", function () { state.filter = filter.value.trim(); drawHeatmap(); });
  document.getElementById("clear").addEventListener("click", function () {
    filter.value = ""; state.filter = ""; drawHeatmap();
  });
  var legend = document.getElementById("legend");
  NAMES.forEach(function (n, i) { legend.appendChild(el("span", { "class": "l" + i }, i + " " + n)); });

  // -- distribution per dimension: stacked bars ------------------------------------------
  function drawDistribution() {
    var assessed = repos.filter(function (r) { return r.level !== null; });
    var width = 460, left = 170, bar = 18, gap = 8;
    var chart = svg("svg", { width: width, height: dims.length * (bar + gap) + 10, role: "img",
      "aria-label": "levels per dimension" });
    dims.forEach(function (d, i) {
      var y = i * (bar + gap);
      chart.appendChild(svg("text", { x: 0, y: y + 13 }, d.title));
      var counts = [0, 0, 0, 0];
      assessed.forEach(function (r) {
        var v = r.profile[d.id];
        if (v !== undefined && v !== null) counts[v] += 1;
      });
      var total = counts.reduce(function (a, b) { return a + b; }, 0) || 1;
      var x = left;
      counts.forEach(function (count, level) {
        if (!count) return;
        var w = (width - left - 10) * count / total;
        var rect = svg("rect", { x: x, y: y, width: w, height: bar, fill: COLOURS[level],
          "data-dimension": d.id, "data-level": level, "data-count": count });
        rect.appendChild(svg("title", {}, d.title + ": " + count + " at level " + level));
        chart.appendChild(rect);
        if (w > 14) {
          chart.appendChild(svg("text", { x: x + w / 2 - 4, y: y + 13 }, count));
        }
        x += w;
      });
    });
    document.getElementById("distribution").appendChild(chart);
  }

  // -- trend: the fleet's mean level per dimension over time -----------------------------
  function drawTrend() {
    var points = {};
    repos.forEach(function (r) {
      r.history.forEach(function (h) { points[h.time.slice(0, 10)] = true; });
    });
    var today = data.generated.slice(0, 10);
    points[today] = true;
    var dates = Object.keys(points).sort();
    function snapshot(repo, date) {
      if (date === today && repo.level !== null) return { level: repo.level, dimensions: repo.profile };
      var best = null;
      repo.history.forEach(function (h) { if (h.time.slice(0, 10) <= date) best = h; });
      return best;
    }
    var series = [{ id: "overall", title: "overall" }].concat(dims);
    var means = series.map(function (s) {
      return dates.map(function (date) {
        var sum = 0, n = 0;
        repos.forEach(function (r) {
          var snap = snapshot(r, date);
          if (!snap) return;
          var v = s.id === "overall" ? snap.level : snap.dimensions[s.id];
          if (v === undefined || v === null) return;
          sum += v; n += 1;
        });
        return n ? sum / n : null;
      });
    });
    var width = 460, height = 220, left = 30, bottom = 30, right = 110;
    var chart = svg("svg", { width: width, height: height, role: "img", "aria-label": "trend" });
    var plotW = width - left - right, plotH = height - bottom - 10;
    for (var level = 0; level <= 3; level++) {
      var gy = 10 + plotH - plotH * level / 3;
      chart.appendChild(svg("line", { x1: left, x2: left + plotW, y1: gy, y2: gy, stroke: "#ddd" }));
      chart.appendChild(svg("text", { x: 4, y: gy + 4 }, level));
    }
    function xOf(i) { return left + (dates.length === 1 ? plotW / 2 : plotW * i / (dates.length - 1)); }
    function yOf(v) { return 10 + plotH - plotH * v / 3; }
    var palette = ["#1d2330", "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948",
      "#b07aa1", "#9c755f"];
    means.forEach(function (values, s) {
      var path = "";
      values.forEach(function (v, i) {
        if (v === null) return;
        path += (path ? " L" : "M") + xOf(i).toFixed(1) + " " + yOf(v).toFixed(1);
        chart.appendChild(svg("circle", { cx: xOf(i), cy: yOf(v), r: s === 0 ? 3.5 : 2.5,
          fill: palette[s], "data-series": series[s].id, "data-date": dates[i] }));
      });
      if (path) {
        chart.appendChild(svg("path", { d: path, fill: "none", stroke: palette[s],
          "stroke-width": s === 0 ? 3 : 1.5 }));
      }
      chart.appendChild(svg("text", { x: left + plotW + 8, y: 14 + s * 14, fill: palette[s] },
        series[s].title.split(" ")[0]));
    });
    chart.appendChild(svg("text", { x: left, y: height - 8 }, dates[0]));
    if (dates.length > 1) {
      chart.appendChild(svg("text", { x: left + plotW - 60, y: height - 8 }, dates[dates.length - 1]));
    }
    document.getElementById("trend").appendChild(chart);
    document.getElementById("trend-note").textContent = dates.length > 1
      ? "Mean level over the repositories with a recorded level at each date (" + dates.length + " dates)."
      : "One point in time: record history in each repository's CI with " +
        "`mlops-scaffold assess . --history .mlops-assess-history.jsonl` to see the trend.";
  }

  // -- the next steps most repositories share --------------------------------------------
  function drawShared() {
    var counts = {};
    repos.forEach(function (r) {
      r.next_steps.forEach(function (m) {
        m.checks.forEach(function (c) {
          var item = counts[c.id] || (counts[c.id] = { id: c.id, title: c.title, dimension: m.dimension,
            target: m.target, commands: {}, repos: 0 });
          item.repos += 1;
          item.commands[m.provided_by] = true;
        });
      });
    });
    var items = Object.keys(counts).map(function (k) { return counts[k]; });
    items.sort(function (a, b) { return b.repos - a.repos || a.target - b.target || (a.id < b.id ? -1 : 1); });
    var list = document.getElementById("shared");
    items.slice(0, 12).forEach(function (item) {
      var li = el("li", { "data-check": item.id, title: "show the repositories that need it" });
      li.appendChild(el("strong", {}, item.title));
      li.appendChild(document.createTextNode(" — " + item.repos + " of " + repos.length +
        " repositories, " + item.dimension + " to level " + item.target + " "));
      li.appendChild(el("code", {}, item.id));
      li.appendChild(document.createTextNode(" via "));
      Object.keys(item.commands).forEach(function (cmd) { li.appendChild(el("span", { "class": "cmd" }, cmd)); });
      li.addEventListener("click", function () {
        filter.value = item.id; state.filter = item.id; drawHeatmap();
        document.getElementById("heatmap").scrollIntoView();
      });
      list.appendChild(li);
    });
    if (!items.length) list.appendChild(el("li", {}, "none: every assessed dimension is at level 3"));
  }

  drawHeatmap();
  drawDistribution();
  drawTrend();
  drawShared();
  document.body.setAttribute("data-ready", "1");
})();
