// Parley's maps and countdowns. Every page works without this script: a
// truce's shapes are a GeoJSON text field, its map an SVG drawn by the
// server, its time left a date.
//
// The map works offline: its base map is the world-atlas file of countries
// (Natural Earth) served with the other static files, drawn by Leaflet, with
// geoman's tools to draw. The libraries load only when the page has a map,
// geoman only when it has one to draw on. The colours are those of
// internal/geo, which draws the same map on the server.
//
//   <div class="map" data-map="edit" data-target="ID" data-region="W,S,E,N" data-labels="{…}">
//     draws segments (lines), zones (polygons) and crossing points (markers)
//     into the GeoJSON FeatureCollection of <textarea id=ID>.
//   <div class="map" data-map="view" data-source="ID" data-labels="{…}">
//     shows the FeatureCollection in <script type="application/json" id=ID>,
//     violations (kind "violation", with a status and a url) too, with a legend.
//   <div class="map" data-map="point" data-lon="ID" data-lat="ID" data-source="ID">
//     places one point, in the two inputs, over the shapes of the source.
//   <time data-countdown datetime="RFC 3339" data-day="d">
//     counts down to its time: "1 d 02:03:04", then gets the class
//     countdown-done and sends the event countdown-done (it bubbles: an htmx
//     part around it may fetch itself again with hx-trigger="countdown-done").
//
// Whatever the server put inside a map's element (its SVG map) is kept for
// print, in a sibling .map-fallback.
(function () {
  "use strict";

  var script = document.currentScript;
  var lib = (script && script.src ? script.src.replace(/[^\/]*$/, "") : "/static/") + "map/";

  // The palette of internal/geo/svg.go: Okabe–Ito colours, told apart by
  // readers with any common colour-vision deficiency, and a shape for each
  // kind (line, area, diamond, circle).
  var colour = {
    sea: "#dfe9f0", land: "#f6f4ef", border: "#9b9b9b", text: "#1f1f1f",
    segment: "#D55E00", zone: "#0072B2", crossing: "#009E73"
  };
  var open = ["#E69F00", "#1f1f1f"], confirmed = ["#CC79A7", "#1f1f1f"], closed = ["#FFFFFF", "#555555"];
  var statusColours = {
    reported: open, acknowledged: open, verification: open, disputed: open,
    confirmed: confirmed, not_confirmed: closed, inconclusive: closed
  };
  var otherMark = ["#555555", "#FFFFFF"];
  var statuses = ["reported", "acknowledged", "verification", "disputed", "confirmed", "not_confirmed", "inconclusive"];
  var defaultRegion = [20, 42, 50, 58]; // parley.DefaultRegion

  var defaultLabels = {
    map: "Map", name: "Name", save: "Save", cancel: "Cancel", rename: "Rename", delete: "Delete",
    segment: "Segment", zone: "Zone", crossing: "Crossing point", violation: "Violation", legend: "Legend",
    show_geojson: "Show GeoJSON", hide_geojson: "Hide GeoJSON", new_shape: "Name the new shape",
    reported: "Reported", acknowledged: "Acknowledged", verification: "Under verification", disputed: "Disputed",
    confirmed: "Confirmed", not_confirmed: "Not confirmed", inconclusive: "Inconclusive"
  };

  // ---- loading ----

  var loading = {};
  function load(tag, url) {
    if (!loading[url]) {
      loading[url] = new Promise(function (resolve, reject) {
        var el = document.createElement(tag);
        if (tag === "script") {
          el.src = url;
          el.async = false; // run in the order asked: Leaflet before geoman
        } else {
          el.rel = "stylesheet";
          el.href = url;
        }
        el.onload = resolve;
        el.onerror = function () { reject(new Error("cannot load " + url)); };
        document.head.appendChild(el);
      });
    }
    return loading[url];
  }

  function libraries(draw) {
    var all = [load("link", lib + "leaflet.css"), load("script", lib + "leaflet.js"), load("script", lib + "topojson-client.min.js")];
    if (draw) all.push(load("link", lib + "leaflet-geoman.css"), load("script", lib + "leaflet-geoman.min.js"));
    return Promise.all(all);
  }

  var countries = null;
  function atlas() {
    if (!countries) {
      countries = fetch(lib + "countries-50m.json", { credentials: "same-origin" }).then(function (r) {
        if (!r.ok) throw new Error("base map: " + r.status);
        return r.json();
      }).then(function (topo) {
        return window.topojson.feature(topo, topo.objects.countries);
      });
    }
    return countries;
  }

  // ---- helpers ----

  function labelsOf(el) {
    var out = {}, k, given = {};
    try { given = JSON.parse(el.getAttribute("data-labels") || "{}") || {}; } catch (e) { given = {}; }
    for (k in defaultLabels) out[k] = defaultLabels[k];
    for (k in given) if (typeof given[k] === "string" && given[k] !== "") out[k] = given[k];
    return out;
  }

  function region(el) {
    var r = (el.getAttribute("data-region") || "").split(",").map(Number);
    if (r.length !== 4 || r.some(function (v) { return !isFinite(v); }) || r[0] >= r[2] || r[1] >= r[3]) r = defaultRegion;
    return L.latLngBounds([r[1], r[0]], [r[3], r[2]]);
  }

  function readJSON(text) {
    var fc = JSON.parse(text);
    if (fc && fc.type === "Feature") fc = { type: "FeatureCollection", features: [fc] };
    if (!fc || fc.type !== "FeatureCollection" || !Array.isArray(fc.features)) throw new Error("not a FeatureCollection");
    fc.features = fc.features.filter(function (f) { return f && f.geometry && f.geometry.coordinates; });
    return fc;
  }

  function source(el) {
    var s = document.getElementById(el.getAttribute("data-source") || "");
    if (!s) return { type: "FeatureCollection", features: [] };
    try { return readJSON(s.textContent); } catch (e) { return { type: "FeatureCollection", features: [] }; }
  }

  function kindOf(f) {
    var k = f.properties && f.properties.kind;
    if (k === "segment" || k === "zone" || k === "crossing" || k === "violation") return k;
    switch (f.geometry && f.geometry.type) {
      case "LineString": return "segment";
      case "Polygon": return "zone";
      default: return "crossing";
    }
  }

  function shapeStyle(kind) {
    if (kind === "zone") return { color: colour.zone, weight: 2, opacity: 1, fillColor: colour.zone, fillOpacity: 0.15, lineJoin: "round" };
    return { color: colour.segment, weight: 4, opacity: 1, lineCap: "round", lineJoin: "round", fill: false };
  }

  function markColours(status) { return statusColours[status] || otherMark; }

  function violationStyle(status) {
    var c = markColours(status);
    return { radius: 6, fillColor: c[0], fillOpacity: 1, color: c[1], weight: 1.5, opacity: 1 };
  }

  function crossingIcon() {
    return L.divIcon({ className: "map-crossing", html: "<span></span>", iconSize: [18, 18], iconAnchor: [9, 9], tooltipAnchor: [10, 0] });
  }

  // text makes an element of plain text: names are people's words, never
  // HTML (Leaflet would write a string as HTML).
  function text(tag, s, cls) {
    var el = document.createElement(tag);
    el.textContent = s;
    if (cls) el.className = cls;
    return el;
  }

  // label writes the shape's name on the map beside it; a segment's a
  // little above its middle, clear of a violation marked on the line.
  function label(layer, name, kind) {
    layer.unbindTooltip();
    if (!name) return;
    layer.bindTooltip(text("span", name), {
      permanent: true, className: "map-label", opacity: 1,
      direction: kind === "crossing" ? "right" : kind === "zone" ? "center" : "top",
      offset: kind === "segment" ? [0, -8] : [0, 0]
    });
  }

  // newMap makes the Leaflet map in el, with the base map under it.
  function newMap(el, labels) {
    var fallback = Array.prototype.slice.call(el.childNodes);
    if (fallback.some(function (n) { return n.nodeType === 1; })) {
      var keep = document.createElement("div");
      keep.className = "map-fallback";
      fallback.forEach(function (n) { keep.appendChild(n); });
      el.parentNode.insertBefore(keep, el.nextSibling);
    } else {
      el.textContent = "";
    }
    el.classList.add("map-live");
    el.style.background = colour.sea;
    if (!el.hasAttribute("role")) el.setAttribute("role", "region");
    if (!el.hasAttribute("aria-label")) el.setAttribute("aria-label", labels.map);
    var map = L.map(el, { zoomSnap: 0.25, minZoom: 2, maxZoom: 15, worldCopyJump: false });
    map.attributionControl.setPrefix("Leaflet"); // no flag: the parties read this map
    map.attributionControl.addAttribution("Natural Earth");
    map.createPane("base").style.zIndex = 250; // under the shapes' overlay pane
    el.parleyMap = map;
    var ready = atlas().then(function (fc) {
      L.geoJSON(fc, {
        pane: "base", interactive: false, pmIgnore: true, snapIgnore: true,
        style: { color: colour.border, weight: 0.8, opacity: 1, fillColor: colour.land, fillOpacity: 1 }
      }).addTo(map);
    });
    return { map: map, ready: ready };
  }

  // fit shows bounds (or a function giving them), else fallback. A map
  // started hidden (the truce's fields of a proposal form sent back with
  // another kind chosen) has no size yet: it takes its size, and its view,
  // when it is shown.
  function fit(map, bounds, fallback) {
    function show() {
      var b = typeof bounds === "function" ? bounds() : bounds;
      if (b && b.isValid()) map.fitBounds(b, { padding: [24, 24], maxZoom: 10, animate: false });
      else map.fitBounds(fallback, { animate: false });
    }
    show();
    var el = map.getContainer();
    if (el.clientWidth > 0 || !window.ResizeObserver) return;
    var shown = new ResizeObserver(function () {
      if (el.clientWidth === 0 && el.parleyMap) return;
      shown.disconnect();
      if (!el.parleyMap) return; // swapped away by htmx
      map.invalidateSize(false);
      show();
    });
    shown.observe(el);
  }

  // ---- view ----

  function viewLayer(fc, labels, kinds) {
    return L.geoJSON(fc, {
      // Leaflet styles every vector of the layer, a violation's circle too.
      style: function (f) {
        var kind = kindOf(f);
        return kind === "violation" ? violationStyle(f.properties && f.properties.status) : shapeStyle(kind);
      },
      pointToLayer: function (f, ll) {
        if (kindOf(f) === "violation") return L.circleMarker(ll, violationStyle(f.properties && f.properties.status));
        return L.marker(ll, { icon: crossingIcon(), keyboard: false });
      },
      onEachFeature: function (f, layer) {
        var kind = kindOf(f), p = f.properties || {};
        if (kinds) kinds[kind === "violation" ? "status:" + (p.status || "") : kind] = true;
        if (kind !== "violation") {
          label(layer, p.name, kind);
          return;
        }
        var name = p.name || labels.violation;
        if (p.status && labels[p.status]) name += " · " + labels[p.status];
        layer.bindTooltip(text("span", name), { direction: "top", offset: [0, -6] });
        if (typeof p.url === "string" && /^\/(?!\/)/.test(p.url)) {
          var a = text("a", name);
          a.href = p.url;
          layer.bindPopup(a);
        }
      }
    });
  }

  function legend(map, labels, kinds) {
    var rows = [];
    ["segment", "zone", "crossing"].forEach(function (k) { if (kinds[k]) rows.push([k, labels[k]]); });
    Object.keys(kinds).filter(function (k) { return k.indexOf("status:") === 0; }).sort(function (a, b) {
      return statuses.indexOf(a.slice(7)) - statuses.indexOf(b.slice(7));
    }).forEach(function (k) {
      var s = k.slice(7);
      rows.push([k, labels.violation + (s ? ": " + (labels[s] || s) : "")]);
    });
    if (!rows.length) return;
    var control = L.control({ position: "bottomright" });
    control.onAdd = function () {
      var box = L.DomUtil.create("div", "map-legend");
      box.setAttribute("role", "group");
      box.setAttribute("aria-label", labels.legend);
      rows.forEach(function (r) {
        var row = L.DomUtil.create("div", "map-legend-row", box);
        var sw = L.DomUtil.create("span", "map-swatch map-swatch-" + (r[0].indexOf("status:") === 0 ? "violation" : r[0]), row);
        sw.setAttribute("aria-hidden", "true");
        if (r[0].indexOf("status:") === 0) {
          var c = markColours(r[0].slice(7));
          sw.style.background = c[0];
          sw.style.borderColor = c[1];
        }
        row.appendChild(text("span", r[1]));
      });
      return box;
    };
    control.addTo(map);
  }

  function viewMap(el) {
    var labels = labelsOf(el);
    var fc = source(el);
    var m = newMap(el, labels), map = m.map;
    var kinds = {};
    var layer = viewLayer(fc, labels, kinds).addTo(map);
    legend(map, labels, kinds);
    fit(map, layer.getBounds(), region(el));
    return m.ready;
  }

  // ---- point ----

  function pointMap(el) {
    var labels = labelsOf(el);
    var lon = document.getElementById(el.getAttribute("data-lon") || "");
    var lat = document.getElementById(el.getAttribute("data-lat") || "");
    if (!lon || !lat) return Promise.resolve();
    var m = newMap(el, labels), map = m.map;
    var shapes = viewLayer(source(el), labels, null).addTo(map);
    var marker = null;
    function write(ll) {
      lon.value = ll.lng.toFixed(5);
      lat.value = ll.lat.toFixed(5);
      [lon, lat].forEach(function (i) { i.dispatchEvent(new Event("change", { bubbles: true })); });
    }
    function place(ll) {
      if (marker) {
        marker.setLatLng(ll);
        return;
      }
      marker = L.marker(ll, { draggable: true, autoPan: true }).addTo(map);
      marker.on("dragend", function () { write(marker.getLatLng().wrap()); });
    }
    map.on("click", function (e) {
      var ll = e.latlng.wrap();
      place(ll);
      write(ll);
    });
    function fromInputs() {
      var x = parseFloat(String(lon.value).replace(",", ".")), y = parseFloat(String(lat.value).replace(",", "."));
      if (isFinite(x) && isFinite(y) && Math.abs(x) <= 180 && Math.abs(y) <= 90) place(L.latLng(y, x));
    }
    lon.addEventListener("input", fromInputs);
    lat.addEventListener("input", fromInputs);
    fromInputs();
    var b = shapes.getBounds();
    if (marker) b = b.isValid() ? b.extend(marker.getLatLng()) : L.latLngBounds(marker.getLatLng(), marker.getLatLng());
    fit(map, b, region(el));
    return m.ready;
  }

  // ---- edit ----

  function editMap(el) {
    var labels = labelsOf(el);
    var area = document.getElementById(el.getAttribute("data-target") || "");
    if (!area || !L.PM) return Promise.resolve();
    var m = newMap(el, labels), map = m.map;
    var bounds = region(el);
    L.rectangle(bounds, { interactive: false, pmIgnore: true, snapIgnore: true, fill: false, color: colour.text, weight: 1, opacity: 0.5, dashArray: "4 6" }).addTo(map);
    var drawn = L.featureGroup().addTo(map);

    // The GeoJSON field: hidden behind a toggle, unless what it holds cannot
    // be read (a person should see what went wrong).
    var wrap = area.closest("label") || area;
    var tag = area.id ? document.querySelector('label[for="' + area.id.replace(/"/g, '\\"') + '"]') : null;
    var toggle = document.createElement("button");
    toggle.type = "button";
    toggle.className = "map-geojson-toggle";
    if (area.id) toggle.setAttribute("aria-controls", area.id);
    function showField(show) {
      wrap.hidden = !show;
      if (tag && tag !== wrap) tag.hidden = !show;
      toggle.textContent = show ? labels.hide_geojson : labels.show_geojson;
      toggle.setAttribute("aria-expanded", show ? "true" : "false");
    }
    toggle.addEventListener("click", function () { showField(wrap.hidden); });
    (tag && tag !== wrap && tag.compareDocumentPosition(wrap) & Node.DOCUMENT_POSITION_FOLLOWING ? tag : wrap)
      .insertAdjacentElement("beforebegin", toggle);

    function kindOfLayer(layer) { return layer.feature.properties.kind; }

    function sync() {
      var features = [];
      drawn.eachLayer(function (layer) {
        var f = layer.toGeoJSON(6), p = layer.feature.properties;
        features.push(JSON.stringify({ type: "Feature", properties: { name: p.name, kind: p.kind }, geometry: f.geometry }));
      });
      area.value = '{"type":"FeatureCollection","features":[' + (features.length ? "\n" + features.join(",\n") + "\n" : "") + "]}";
    }

    function watch(layer) {
      layer.on("pm:edit pm:update pm:dragend pm:markerdragend pm:vertexadded pm:vertexremoved", function () {
        label(layer, layer.feature.properties.name, kindOfLayer(layer));
        sync();
      });
      layer.on("click", function () {
        if (map.pm.globalRemovalModeEnabled() || map.pm.globalDrawModeEnabled()) return;
        ask(layer, false);
      });
    }

    function add(layer, name, kind) {
      layer.feature = { type: "Feature", properties: { name: name, kind: kind } };
      if (layer.setStyle) layer.setStyle(shapeStyle(kind));
      drawn.addLayer(layer);
      label(layer, name, kind);
      watch(layer);
    }

    function load(textValue) {
      var fc = readJSON(textValue.trim() === "" ? '{"type":"FeatureCollection","features":[]}' : textValue);
      drawn.clearLayers();
      L.geoJSON(fc, {
        pointToLayer: function (f, ll) { return L.marker(ll, { icon: crossingIcon() }); },
        onEachFeature: function (f, layer) {
          var kind = kindOf(f);
          add(layer, String((f.properties && f.properties.name) || labels[kind] || ""), kind === "violation" ? "crossing" : kind);
        }
      });
    }

    var readable = true;
    try { load(area.value); } catch (e) { readable = false; }
    showField(!readable || area.getAttribute("aria-invalid") === "true");
    area.addEventListener("change", function () {
      try { load(area.value); } catch (e) { /* left as typed; the server says what is wrong */ }
    });

    // The name form, inside the map.
    var panel = L.control({ position: "topright" });
    var box, heading, input, save, cancel, remove, current = null;
    panel.onAdd = function () {
      box = L.DomUtil.create("div", "map-name");
      box.setAttribute("role", "group");
      box.hidden = true;
      heading = L.DomUtil.create("div", "map-name-heading", box);
      heading.id = (area.id || "map") + "-name-heading";
      box.setAttribute("aria-labelledby", heading.id);
      var lab = L.DomUtil.create("label", "", box);
      lab.appendChild(text("span", labels.name));
      input = L.DomUtil.create("input", "", lab);
      input.type = "text";
      input.maxLength = 200;
      input.required = true;
      var buttons = L.DomUtil.create("div", "map-name-buttons", box);
      save = text("button", labels.save);
      cancel = text("button", labels.cancel);
      remove = text("button", labels.delete, "map-name-delete");
      [save, cancel, remove].forEach(function (b) { b.type = "button"; buttons.appendChild(b); });
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      save.addEventListener("click", done);
      cancel.addEventListener("click", close);
      remove.addEventListener("click", function () {
        if (!current) return;
        drawn.removeLayer(current);
        map.removeLayer(current);
        close();
        sync();
      });
      input.addEventListener("keydown", function (e) {
        // Enter must not send the page's form around the map.
        if (e.key === "Enter") { e.preventDefault(); done(); }
        if (e.key === "Escape") { e.preventDefault(); close(); }
      });
      input.addEventListener("keypress", function (e) {
        if (e.key === "Enter") e.preventDefault();
      });
      return box;
    };
    panel.addTo(map);

    function ask(layer, isNew) {
      current = layer;
      heading.textContent = isNew ? labels.new_shape : labels.rename;
      input.value = layer.feature.properties.name;
      remove.hidden = isNew;
      box.hidden = false;
      input.focus();
      input.select();
    }
    function done() {
      var name = input.value.trim();
      if (!current || name === "") { input.focus(); return; }
      current.feature.properties.name = name;
      label(current, name, kindOfLayer(current));
      sync();
      close();
    }
    function close() {
      current = null;
      box.hidden = true;
    }

    function nextName(kind) {
      var used = {}, n = 1;
      drawn.eachLayer(function (l) { used[l.feature.properties.name] = true; });
      while (used[labels[kind] + " " + n]) n++;
      return labels[kind] + " " + n;
    }

    var lang = (document.documentElement.lang || "en").toLowerCase().split("-")[0];
    try { map.pm.setLang(lang === "uk" ? "ua" : lang); } catch (e) { /* geoman speaks English then */ }
    map.pm.setGlobalOptions({ allowSelfIntersection: false, markerStyle: { icon: crossingIcon() }, continueDrawing: false });
    map.pm.addControls({
      position: "topleft",
      drawMarker: true, drawPolyline: true, drawPolygon: true,
      drawCircleMarker: false, drawCircle: false, drawRectangle: false, drawText: false,
      editMode: true, dragMode: true, removalMode: true, cutPolygon: false, rotateMode: false
    });
    var shapeKinds = { Line: "segment", Polygon: "zone", Marker: "crossing" };
    map.on("pm:create", function (e) {
      var kind = shapeKinds[e.shape];
      if (!kind) { map.removeLayer(e.layer); return; }
      add(e.layer, nextName(kind), kind);
      sync();
      ask(e.layer, true);
    });
    map.on("pm:remove", function (e) {
      if (!drawn.hasLayer(e.layer)) return;
      drawn.removeLayer(e.layer);
      if (current === e.layer) close();
      sync();
    });
    if (readable) sync();
    fit(map, function () { return drawn.getBounds(); }, bounds);
    return m.ready;
  }

  // ---- start ----

  var kinds = { edit: editMap, view: viewMap, point: pointMap };

  function startMaps(root) {
    var els = Array.prototype.filter.call(root.querySelectorAll ? root.querySelectorAll(".map[data-map]") : [], function (el) {
      return kinds[el.getAttribute("data-map")] && !el.hasAttribute("data-map-state");
    });
    if (root.matches && root.matches(".map[data-map]") && !root.hasAttribute("data-map-state") && kinds[root.getAttribute("data-map")]) els.push(root);
    if (!els.length) return;
    var draw = els.some(function (el) { return el.getAttribute("data-map") === "edit"; });
    els.forEach(function (el) { el.setAttribute("data-map-state", "loading"); });
    libraries(draw).then(function () {
      els.forEach(function (el) {
        Promise.resolve().then(function () { return kinds[el.getAttribute("data-map")](el); }).then(function () {
          el.setAttribute("data-map-state", "ready");
        }, function (err) {
          el.setAttribute("data-map-state", "failed");
          if (window.console) console.error("map:", err);
        });
      });
    }, function (err) {
      els.forEach(function (el) { el.setAttribute("data-map-state", "failed"); });
      if (window.console) console.error("map:", err);
    });
  }

  // ---- countdowns ----

  var counted = new WeakSet(), timer = null;

  function two(n) { return (n < 10 ? "0" : "") + n; }

  // left writes the time from now to end as "1 d 02:03:04" or "02:03:04".
  function left(ms, day) {
    var s = Math.max(0, Math.ceil(ms / 1000));
    var d = Math.floor(s / 86400);
    s -= d * 86400;
    var t = two(Math.floor(s / 3600)) + ":" + two(Math.floor(s / 60) % 60) + ":" + two(s % 60);
    return d > 0 ? d + " " + day + " " + t : t;
  }

  function tick() {
    var els = document.querySelectorAll("time[data-countdown]");
    if (!els.length) {
      clearInterval(timer);
      timer = null;
      return;
    }
    var now = Date.now();
    Array.prototype.forEach.call(els, function (el) {
      var end = Date.parse(el.getAttribute("datetime") || "");
      if (isNaN(end)) return;
      if (!counted.has(el)) {
        if (!el.title) el.title = el.textContent.trim(); // the date, as the server wrote it
        el.setAttribute("role", "timer");
      }
      el.textContent = left(end - now, el.getAttribute("data-day") || "d");
      if (end - now <= 0 && !el.classList.contains("countdown-done")) {
        el.classList.add("countdown-done");
        // Only a countdown seen running says it ended: one that had
        // already ended when the page came would fetch the page again and
        // again.
        if (counted.has(el)) el.dispatchEvent(new CustomEvent("countdown-done", { bubbles: true }));
      }
      counted.add(el);
    });
  }

  function startCountdowns() {
    if (!document.querySelector("time[data-countdown]")) return;
    tick();
    if (!timer) timer = setInterval(tick, 1000);
  }

  function start(root) {
    startMaps(root);
    startCountdowns();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { start(document); });
  else start(document);
  document.addEventListener("htmx:load", function (e) { start(e.target); });
  // A map swapped away by htmx lets go of its listeners.
  document.addEventListener("htmx:beforeCleanupElement", function (e) {
    var el = e.target;
    if (el && el.parleyMap) {
      el.parleyMap.remove();
      el.parleyMap = null;
    }
  });
})();
