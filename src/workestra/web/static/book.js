/* Workestra booking page: a month calendar whose days with free times are marked and the chosen
   day's times (from the public JSON API, a month per request), a searchable time-zone picker
   (zones.json, a cached asset), a 12/24-hour toggle (remembered in localStorage), booking by POST,
   and the confirmation page's wait for a meeting link. Without JavaScript the server's plain view
   (?plain=1) takes over. The same page moves a booking when it carries
   data-reschedule-url and data-reschedule-token (the invitee's private reschedule page): the
   chosen time is posted there instead of a new booking. Dependency-free; no inline scripts.

   In the booking widget's frame (body.embed, see embed.js) every page also applies the host's
   accent colour, tells the host page its height and, once booked, the booking; links onwards keep
   the frame's embed parameters; the cancel form goes to the JSON API (no cookie reaches a page
   framed by another site, so the form's token couldn't be checked).
   Messages to the host page (window.parent), all plain objects:
     {type: "workestra:resize", height: <CSS px>}    to any origin: it says nothing about anyone
     {type: "workestra:booked", id, start, end}      to the host page's origin when the browser
                                                     tells it (see hostOrigin)
     {type: "workestra:close"}                       Escape pressed in the frame (closes a popup) */
(function () {
  "use strict";

  var API = "/api/v1/public/links/";

  function $(id) { return document.getElementById(id); }

  function show(el, text) {
    el.textContent = text;
    el.hidden = !text;
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function isoDay(date) {
    return date.getUTCFullYear() + "-" + pad(date.getUTCMonth() + 1) + "-" + pad(date.getUTCDate());
  }

  function addDays(day, n) {
    var p = day.split("-").map(Number);
    return isoDay(new Date(Date.UTC(p[0], p[1] - 1, p[2] + n)));
  }

  function validZone(zone) {
    try {
      new Intl.DateTimeFormat("en-US", { timeZone: zone });
      return true;
    } catch (e) {
      return false;
    }
  }

  function todayIn(zone) {
    var parts = {};
    try {
      new Intl.DateTimeFormat("en-US", {
        timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit"
      }).formatToParts(new Date()).forEach(function (p) { parts[p.type] = p.value; });
    } catch (e) {
      return isoDay(new Date());  // a zone this browser doesn't know: the UTC day is close enough
    }
    return parts.year + "-" + parts.month + "-" + parts.day;
  }

  function errorMessage(body, fallback) {
    return (body && body.error && body.error.message) || fallback;
  }

  function readJson(response) {
    return response.json().catch(function () { return null; });
  }

  var embedQuery = document.body.getAttribute("data-embed-query");
  var framed = embedQuery !== null && window.parent !== window;

  function withEmbed(url) {
    return embedQuery === null ? url : url + (url.indexOf("?") < 0 ? "?" : "&") + embedQuery;
  }

  function hostOrigin() {
    // The booked message names the booking, so it goes only to the page that framed us when the
    // browser says which one that is: ancestorOrigins (Chromium, Safari), else the referrer of a
    // frame that hasn't moved on within Workestra yet. Otherwise "*" - still only ever window.parent,
    // and only a page the link allows may be that (frame-ancestors), nor can it change origin
    // without taking this frame down with it.
    var ancestors = window.location.ancestorOrigins;
    if (ancestors && ancestors.length && ancestors[0] && ancestors[0] !== "null") { return ancestors[0]; }
    try {
      var referrer = document.referrer ? new URL(document.referrer).origin : "";
      if (referrer && referrer !== "null" && referrer !== window.location.origin) { return referrer; }
    } catch (e) { /* no usable referrer */ }
    return "*";
  }

  function tellHost(message, origin) {
    if (framed) { window.parent.postMessage(message, origin || "*"); }
  }

  function applyAccent() {
    var names = { "data-primary": "--primary", "data-primary-dark": "--primary-dark", "data-primary-soft": "--primary-soft" };
    Object.keys(names).forEach(function (attribute) {
      var value = document.body.getAttribute(attribute);
      // The CSSOM is not inline style: the page's policy (style-src 'self') allows it.
      if (value && /^#[0-9a-f]{6}$/.test(value)) { document.documentElement.style.setProperty(names[attribute], value); }
    });
  }

  function reportHeight() {
    var last = 0;
    function send() {
      var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
      if (height !== last) {
        last = height;
        tellHost({ type: "workestra:resize", height: height });
      }
    }
    if (window.ResizeObserver) {
      new ResizeObserver(send).observe(document.documentElement);
    } else {
      window.addEventListener("resize", send);
      new MutationObserver(send).observe(document.body, { childList: true, subtree: true, attributes: true });
    }
    window.addEventListener("load", send);
    send();
  }

  function embedded() {
    applyAccent();
    if (!framed) { return; }
    reportHeight();
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && !event.defaultPrevented) { tellHost({ type: "workestra:close" }); }
    });
  }

  function cancelForm(form) {
    // In the frame: the token in the form is the invitee's proof, sent to the JSON API; then this
    // page again, which now says the booking is cancelled.
    var error = $("cancel-error");
    var button = form.querySelector("button[type=submit]");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      show(error, "");
      button.disabled = true;
      fetch(form.getAttribute("data-cancel-api"), {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ token: form.elements.token.value, reason: form.elements.reason.value })
      }).then(function (response) {
        return readJson(response).then(function (body) {
          if (response.ok) {
            window.location.replace(window.location.href);
            return;
          }
          button.disabled = false;
          show(error, errorMessage(body, "The booking couldn't be cancelled. Please try again."));
        });
      }).catch(function () {
        button.disabled = false;
        show(error, "The booking couldn't be cancelled (no connection). Please try again.");
      });
    });
  }

  /* ---- 12/24-hour clock: the browser's locale decides until the invitee picks (localStorage). */

  var CLOCK_KEY = "workestra.clock";

  function storedClock() {
    try { return window.localStorage.getItem(CLOCK_KEY); } catch (e) { return null; }  // storage blocked
  }

  function clockPreference() {
    var stored = storedClock();
    if (stored === "12" || stored === "24") { return stored; }
    try {
      var options = new Intl.DateTimeFormat(undefined, { hour: "numeric" }).resolvedOptions();
      if (options.hourCycle) { return options.hourCycle === "h11" || options.hourCycle === "h12" ? "12" : "24"; }
      return options.hour12 ? "12" : "24";
    } catch (e) {
      return "24";
    }
  }

  function rememberClock(value) {
    try { window.localStorage.setItem(CLOCK_KEY, value); } catch (e) { /* kept for this page only */ }
  }

  function timeOptions(zone) {
    return clockPreference() === "12"
      ? { timeZone: zone, hour: "numeric", minute: "2-digit", hour12: true }
      : { timeZone: zone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
  }

  function timeLabel(iso, zone) {
    try {
      return new Intl.DateTimeFormat(undefined, timeOptions(zone)).format(new Date(iso));
    } catch (e) {
      return iso.slice(11, 16);
    }
  }

  function zoneLabel(zone) { return zone.replace(/_/g, " "); }

  /* ---- The time-zone picker: a combobox over zones.json (one canonical name per place), each
     zone with its current time and UTC offset. Only a choice (Enter, a click) changes the zone. */

  function zoneNow(zone, now) {
    var time = "";
    var offset = "";
    try {
      var parts = new Intl.DateTimeFormat("en-US", {
        timeZone: zone, hour: "numeric", minute: "2-digit", timeZoneName: "longOffset",
        hourCycle: clockPreference() === "12" ? "h12" : "h23"
      }).formatToParts(now);
      var text = [];
      parts.forEach(function (p) {
        if (p.type === "timeZoneName") { offset = p.value; } else if (p.type !== "literal" || text.length) { text.push(p.value); }
      });
      time = text.join("").trim();
    } catch (e) {
      return { time: "", offset: "" };
    }
    offset = offset.replace(/^GMT$/, "GMT+00:00").replace(/^GMT/, "UTC");
    return { time: time, offset: offset };
  }

  function zonePicker(select, initial, onPick) {
    var field = select.parentNode;
    var nowEl = $("tz-now");
    var zones = [];
    var aliases = {};
    var current = initial;
    var shown = [];
    var active = -1;
    var clock = { stamp: "", byZone: {} };
    var input = null;
    var list = null;

    function describe(zone) {
      var stamp = new Date().toISOString().slice(0, 16) + clockPreference();
      if (clock.stamp !== stamp) { clock = { stamp: stamp, byZone: {} }; }
      if (!clock.byZone[zone]) { clock.byZone[zone] = zoneNow(zone, new Date()); }
      return clock.byZone[zone];
    }

    function showNow() {
      var now = describe(current);
      nowEl.textContent = now.time ? "Now " + now.time + " · " + now.offset : "";
      nowEl.hidden = !now.time;
    }

    function canonical(zone) { return aliases[zone] || zone; }

    function ensureOption(zone) {
      for (var i = 0; i < select.options.length; i++) {
        if (select.options[i].value === zone) { return; }
      }
      var option = document.createElement("option");
      option.value = zone;
      option.textContent = zoneLabel(zone);
      select.insertBefore(option, select.firstChild);
    }

    function haystack(zone) {
      var now = describe(zone);
      return (zoneLabel(zone) + " " + zone + " " + now.offset + " " + now.offset.replace("UTC", "GMT")).toLowerCase();
    }

    function filter(text) {
      var words = text.toLowerCase().replace(/_/g, " ").split(/\s+/).filter(Boolean);
      return zones.filter(function (zone) {
        if (!words.length) { return true; }
        var hay = haystack(zone);
        return words.every(function (w) { return hay.indexOf(w) >= 0; });
      });
    }

    function setActive(index) {
      var items = list.children;
      if (active >= 0 && items[active]) { items[active].setAttribute("aria-selected", "false"); }
      active = Math.max(-1, Math.min(index, shown.length - 1));
      if (active < 0) {
        input.removeAttribute("aria-activedescendant");
        return;
      }
      var item = items[active];
      item.setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", item.id);
      if (item.scrollIntoView) { item.scrollIntoView({ block: "nearest" }); }
    }

    function renderList(text) {
      shown = filter(text);
      list.textContent = "";
      var fragment = document.createDocumentFragment();
      shown.forEach(function (zone, i) {
        var now = describe(zone);
        var li = document.createElement("li");
        li.id = "tz-option-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.setAttribute("data-zone", zone);
        if (zone === current) { li.className = "is-current"; }
        var name = document.createElement("span");
        name.className = "tz-name";
        name.textContent = zoneLabel(zone);
        var when = document.createElement("span");
        when.className = "tz-when";
        when.textContent = now.time + " · " + now.offset;
        li.appendChild(name);
        li.appendChild(document.createTextNode(" "));
        li.appendChild(when);
        fragment.appendChild(li);
      });
      if (!shown.length) {
        var none = document.createElement("li");
        none.className = "tz-none";
        none.setAttribute("role", "option");
        none.setAttribute("aria-disabled", "true");
        none.setAttribute("aria-selected", "false");
        none.textContent = "No time zone matches";
        fragment.appendChild(none);
      }
      list.appendChild(fragment);
      active = -1;
      setActive(shown.length ? Math.max(0, shown.indexOf(current)) : -1);
    }

    function open(text) {
      renderList(text);
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    function restore() {
      input.value = zoneLabel(current);
      close();
    }

    function pick(zone) {
      var changed = zone !== current;
      current = zone;
      input.value = zoneLabel(zone);
      input.setAttribute("data-zone", zone);
      close();
      showNow();
      if (changed) { onPick(zone); }
    }

    function build() {
      input = document.createElement("input");
      input.type = "text";
      input.id = "tz";
      input.name = "tz";
      input.className = "tz-input";
      input.setAttribute("role", "combobox");
      input.setAttribute("aria-autocomplete", "list");
      input.setAttribute("aria-expanded", "false");
      input.setAttribute("aria-controls", "tz-list");
      input.setAttribute("aria-describedby", "tz-now tz-hint");
      input.setAttribute("autocomplete", "off");
      input.setAttribute("spellcheck", "false");
      input.value = zoneLabel(current);
      input.setAttribute("data-zone", current);
      list = document.createElement("ul");
      list.id = "tz-list";
      list.className = "tz-list";
      list.setAttribute("role", "listbox");
      list.setAttribute("aria-label", "Time zones");
      list.hidden = true;
      var hint = document.createElement("span");
      hint.id = "tz-hint";
      hint.className = "visually-hidden";
      hint.textContent = "Type a city or region, then choose from the list.";
      var wrap = document.createElement("div");
      wrap.className = "tz-picker";
      wrap.appendChild(input);
      wrap.appendChild(list);
      wrap.appendChild(hint);
      field.replaceChild(wrap, select);

      input.addEventListener("focus", function () { input.select(); });
      input.addEventListener("click", function () { if (list.hidden) { open(""); } });
      input.addEventListener("input", function () { open(input.value.trim() === zoneLabel(current) ? "" : input.value); });
      input.addEventListener("keydown", function (event) {
        var key = event.key;
        if (key === "ArrowDown" || key === "ArrowUp" || key === "PageDown" || key === "PageUp") {
          event.preventDefault();
          if (list.hidden) { open(""); return; }
          var step = { ArrowDown: 1, ArrowUp: -1, PageDown: 10, PageUp: -10 }[key];
          setActive(Math.max(0, active + step));
        } else if (key === "Enter") {
          if (!list.hidden) {
            event.preventDefault();
            if (active >= 0) { pick(shown[active]); }
          }
        } else if (key === "Escape") {
          if (!list.hidden || input.value !== zoneLabel(current)) {
            event.preventDefault();
            event.stopPropagation();
            restore();
          }
        } else if (key === "Tab") {
          restore();
        }
      });
      input.addEventListener("blur", function () { if (!list.hidden) { restore(); } });
      // A press on an option must not blur the input first (that would close the list).
      list.addEventListener("mousedown", function (event) { event.preventDefault(); });
      list.addEventListener("click", function (event) {
        var item = event.target.closest ? event.target.closest("li[data-zone]") : null;
        if (item) { pick(item.getAttribute("data-zone")); }
      });
    }

    // Until zones.json arrives (or if it never does) the select offers the browser's zone and the
    // link's; a change there is a choice like any other.
    ensureOption(current);
    select.value = current;
    select.addEventListener("change", function () {
      current = select.value;
      showNow();
      onPick(current);
    });
    showNow();

    return {
      load: function (url) {
        if (!url) { return; }
        fetch(url, { headers: { Accept: "application/json" } }).then(function (response) {
          return response.ok ? response.json() : null;
        }).then(function (body) {
          if (!body || !Array.isArray(body.zones) || !body.zones.length) { return; }
          zones = body.zones;
          aliases = body.aliases || {};
          var named = canonical(current);
          if (zones.indexOf(named) < 0) { zones = [named].concat(zones); }
          if (named !== current) {
            current = named;
            onPick(named, true);  // the same zone by its current name: nothing to reload
          }
          build();
          showNow();
        }).catch(function () { /* keep the select */ });
      },
      refresh: function () {
        clock = { stamp: "", byZone: {} };
        showNow();
      }
    };
  }

  /* ---- The booking page: a month calendar (days with free times marked), the chosen day's
     times, the details form. */

  function firstWeekday() {
    // 1 = Monday ... 7 = Sunday, from the browser's locale where it says (en-US: Sunday).
    try {
      var locale = new Intl.Locale(navigator.language || "en");
      var info = locale.getWeekInfo ? locale.getWeekInfo() : locale.weekInfo;
      if (info && info.firstDay) { return info.firstDay; }
    } catch (e) { /* older browsers */ }
    return 1;
  }

  function monthOf(day) { return day.slice(0, 8) + "01"; }

  function addMonths(first, n) {
    var p = first.split("-").map(Number);
    return isoDay(new Date(Date.UTC(p[0], p[1] - 1 + n, 1)));
  }

  function monthEnd(first) { return addDays(addMonths(first, 1), -1); }

  function weekdayOf(day) {  // 1 = Monday ... 7 = Sunday
    var p = day.split("-").map(Number);
    return new Date(Date.UTC(p[0], p[1] - 1, p[2])).getUTCDay() || 7;
  }

  function formatDay(day, opts) {
    var p = day.split("-").map(Number);
    opts.timeZone = "UTC";
    return new Intl.DateTimeFormat(undefined, opts).format(new Date(Date.UTC(p[0], p[1] - 1, p[2], 12)));
  }

  function longDay(day) { return formatDay(day, { weekday: "long", day: "numeric", month: "long" }); }

  function bookingPage(root) {
    var slug = root.getAttribute("data-slug");
    var horizon = parseInt(root.getAttribute("data-horizon-days"), 10) || 60;
    var table = $("month");
    var slotsEl = $("slots");
    var statusEl = $("slots-status");
    var noticeEl = $("notice");
    var jumpEl = $("jump");
    var jumpBtn = $("jump-first");
    var form = $("booking-form");
    var confirmBtn = $("confirm");
    var confirmLabel = confirmBtn.textContent;
    var rescheduleUrl = root.getAttribute("data-reschedule-url");
    var rescheduleToken = root.getAttribute("data-reschedule-token") || "";
    // A booking being moved: its own time is offered too (it can move by less than its length).
    var movingQuery = rescheduleUrl ? "&reschedule=" + encodeURIComponent(root.getAttribute("data-booking-id") || "") +
      "&token=" + encodeURIComponent(rescheduleToken) : "";
    var weekStart = firstWeekday();
    var state = {
      zone: "", today: "", last: "", month: "", day: "", focusDay: "", slot: null,
      byDay: {}, covered: {}, loading: false, seq: 0, nextFree: "", error: ""
    };
    var zoneTimer = 0;

    function inRange(day) { return day >= state.today && day <= state.last; }

    function freeIn(first, last) {
      for (var day = first; day <= last; day = addDays(day, 1)) {
        if (state.byDay[day]) { return day; }
      }
      return "";
    }

    function coveredAll(first, last) {
      for (var day = first; day <= last; day = addDays(day, 1)) {
        if (!state.covered[day]) { return false; }
      }
      return true;
    }

    function shownSpan() {  // the shown month's bookable days
      var first = state.month < state.today ? state.today : state.month;
      var end = monthEnd(state.month);
      return [first, end > state.last ? state.last : end];
    }

    /* ---- the month grid */

    function dayButton(day) {
      var count = (state.byDay[day] || []).length;
      var usable = count > 0 && !state.loading;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "day" + (count ? " has-times" : "");
      button.setAttribute("data-day", day);
      button.setAttribute("aria-pressed", day === state.day ? "true" : "false");
      button.tabIndex = day === state.focusDay ? 0 : -1;
      if (!usable) { button.setAttribute("aria-disabled", "true"); }
      if (day === state.today) { button.setAttribute("aria-current", "date"); }
      var before = document.createElement("span");
      before.className = "visually-hidden";
      before.textContent = formatDay(day, { weekday: "long" }) + " ";
      var number = document.createElement("span");
      number.className = "day-number";
      number.textContent = formatDay(day, { day: "numeric" });
      var after = document.createElement("span");
      after.className = "visually-hidden";
      after.textContent = " " + formatDay(day, { month: "long" }) +
        (state.loading ? "" : count ? ", " + count + (count === 1 ? " time" : " times") : ", no times");
      button.appendChild(before);
      button.appendChild(number);
      button.appendChild(after);
      if (count) {
        var dot = document.createElement("span");
        dot.className = "day-dot";
        dot.setAttribute("aria-hidden", "true");
        button.appendChild(dot);
      }
      return button;
    }

    function renderMonth() {
      var hadFocus = table.contains(document.activeElement);
      var first = state.month;
      var end = monthEnd(first);
      if (!state.focusDay || monthOf(state.focusDay) !== first || !inRange(state.focusDay)) {
        state.focusDay = state.day && monthOf(state.day) === first ? state.day
          : freeIn(shownSpan()[0], shownSpan()[1]) || shownSpan()[0];
      }
      table.textContent = "";
      table.className = "month" + (state.loading ? " is-loading" : "");
      table.setAttribute("aria-busy", state.loading ? "true" : "false");
      var head = document.createElement("thead");
      var headRow = document.createElement("tr");
      // 2024-01-01 was a Monday: the header's seven days from the locale's first weekday.
      for (var i = 0; i < 7; i++) {
        var sample = addDays("2024-01-01", (weekStart - 1 + i) % 7);
        var th = document.createElement("th");
        th.scope = "col";
        var abbr = document.createElement("abbr");
        abbr.title = formatDay(sample, { weekday: "long" });
        abbr.textContent = formatDay(sample, { weekday: "short" });
        th.appendChild(abbr);
        headRow.appendChild(th);
      }
      head.appendChild(headRow);
      var body = document.createElement("tbody");
      var row = document.createElement("tr");
      var lead = (weekdayOf(first) - weekStart + 7) % 7;
      for (var b = 0; b < lead; b++) { row.appendChild(document.createElement("td")); }
      for (var day = first; day <= end; day = addDays(day, 1)) {
        if (row.children.length === 7) {
          body.appendChild(row);
          row = document.createElement("tr");
        }
        var cell = document.createElement("td");
        if (inRange(day)) {
          cell.appendChild(dayButton(day));
        } else {
          var past = document.createElement("span");
          past.className = "day-out";
          past.textContent = formatDay(day, { day: "numeric" });
          past.setAttribute("aria-hidden", "true");
          cell.appendChild(past);
        }
        row.appendChild(cell);
      }
      while (row.children.length < 7) { row.appendChild(document.createElement("td")); }
      body.appendChild(row);
      table.appendChild(head);
      table.appendChild(body);
      $("month-label").textContent = formatDay(first, { month: "long", year: "numeric" });
      $("prev-month").disabled = first <= monthOf(state.today);
      $("next-month").disabled = addMonths(first, 1) > state.last;
      renderJump();
      if (hadFocus) {  // the grid was redrawn under the keyboard: focus stays on its day
        var again = dayEl(state.focusDay);
        if (again) { again.focus(); }
      }
    }

    function renderJump() {
      var span = shownSpan();
      var empty = !state.loading && !state.error && coveredAll(span[0], span[1]) && !freeIn(span[0], span[1]);
      jumpEl.hidden = !(empty && state.nextFree);
      if (!jumpEl.hidden) {
        jumpBtn.textContent = "Go to the next day with free times: " + longDay(state.nextFree);
      }
    }

    function dayEl(day) { return table.querySelector('button.day[data-day="' + day + '"]'); }

    function focusDay(day) {
      if (!inRange(day)) { return; }
      state.focusDay = day;
      if (monthOf(day) !== state.month) {
        state.month = monthOf(day);
        showMonth();
      } else {
        var buttons = table.querySelectorAll("button.day");
        for (var i = 0; i < buttons.length; i++) { buttons[i].tabIndex = -1; }
      }
      var el = dayEl(day);
      if (el) {
        el.tabIndex = 0;
        el.focus();
      }
    }

    function onGridKey(event) {
      var target = event.target;
      if (!target.classList || !target.classList.contains("day")) { return; }
      var day = target.getAttribute("data-day");
      var to = "";
      var offset = (weekdayOf(day) - weekStart + 7) % 7;
      switch (event.key) {
        case "ArrowLeft": to = addDays(day, -1); break;
        case "ArrowRight": to = addDays(day, 1); break;
        case "ArrowUp": to = addDays(day, -7); break;
        case "ArrowDown": to = addDays(day, 7); break;
        case "Home": to = addDays(day, -offset); break;
        case "End": to = addDays(day, 6 - offset); break;
        case "PageUp": to = addMonths(monthOf(day), -1).slice(0, 8) + day.slice(8); break;
        case "PageDown": to = addMonths(monthOf(day), 1).slice(0, 8) + day.slice(8); break;
        default: return;
      }
      event.preventDefault();
      if (to.slice(0, 7) !== addDays(to, 0).slice(0, 7)) { to = monthEnd(monthOf(to)); }  // 31 Jan + 1 month
      if (to < state.today) { to = state.today; }
      if (to > state.last) { to = state.last; }
      if (to !== day) { focusDay(to); }
    }

    function onDayClick(event) {
      var button = event.target.closest ? event.target.closest("button.day") : null;
      if (!button || button.getAttribute("aria-disabled") === "true") { return; }
      selectDay(button.getAttribute("data-day"), true);
    }

    function selectDay(day, moveFocus) {
      state.day = day;
      state.focusDay = day;
      closeForm();
      renderMonth();
      renderSlots();
      if (moveFocus) {
        var first = slotsEl.querySelector("button.slot[tabindex='0']") || slotsEl.querySelector("button.slot");
        if (first) { first.focus(); }
      }
    }

    /* ---- the times */

    function skeleton() {
      slotsEl.textContent = "";
      slotsEl.setAttribute("aria-busy", "true");
      for (var i = 0; i < 6; i++) {
        var bar = document.createElement("span");
        bar.className = "skeleton slot-skeleton";
        bar.setAttribute("aria-hidden", "true");
        slotsEl.appendChild(bar);
      }
    }

    function renderSlots() {
      if (state.loading) {
        statusEl.textContent = "Loading available times…";
        skeleton();
        return;
      }
      slotsEl.textContent = "";
      slotsEl.removeAttribute("aria-busy");
      if (state.error) {
        statusEl.textContent = state.error;
        return;
      }
      var slots = state.byDay[state.day] || [];
      if (!state.day || !slots.length) {
        var span = shownSpan();
        statusEl.textContent = freeIn(span[0], span[1]) ? "Pick a day to see its times."
          : state.nextFree ? "No free times this month."
          : "No free times this month, nor later on this page.";
        slotsEl.setAttribute("aria-label", "Available times");
        return;
      }
      statusEl.textContent = longDay(state.day) + " · times in " + zoneLabel(state.zone);
      slotsEl.setAttribute("aria-label", "Times on " + longDay(state.day));
      var chosen = state.slot ? state.slot.start : "";
      var focusable = chosen && slots.some(function (s) { return s.start === chosen; }) ? chosen : slots[0].start;
      slots.forEach(function (slot) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "slot";
        button.setAttribute("data-start", slot.start);
        button.setAttribute("aria-pressed", slot.start === chosen ? "true" : "false");
        button.tabIndex = slot.start === focusable ? 0 : -1;
        button.textContent = timeLabel(slot.start, state.zone);
        button.addEventListener("click", function () { choose(slot); });
        slotsEl.appendChild(button);
      });
    }

    function onSlotKey(event) {
      var buttons = Array.prototype.slice.call(slotsEl.querySelectorAll("button.slot"));
      var index = buttons.indexOf(event.target);
      if (index < 0) { return; }
      var to = { ArrowDown: index + 1, ArrowRight: index + 1, ArrowUp: index - 1, ArrowLeft: index - 1,
        Home: 0, End: buttons.length - 1 }[event.key];
      if (to === undefined) { return; }
      event.preventDefault();
      to = Math.max(0, Math.min(to, buttons.length - 1));
      buttons.forEach(function (b, i) { b.tabIndex = i === to ? 0 : -1; });
      buttons[to].focus();
    }

    function markSelectedSlot() {
      var buttons = slotsEl.querySelectorAll("button.slot");
      for (var i = 0; i < buttons.length; i++) {
        var on = state.slot !== null && buttons[i].getAttribute("data-start") === state.slot.start;
        buttons[i].setAttribute("aria-pressed", on ? "true" : "false");
      }
    }

    function closeForm() {
      state.slot = null;
      form.hidden = true;
      markSelectedSlot();
    }

    /* ---- loading: a month at a time (at most 31 days), plus one look ahead from an empty month */

    function fetchRange(first, last) {
      var url = API + encodeURIComponent(slug) + "/slots?start=" + first + "&end=" + last +
        "&timezone=" + encodeURIComponent(state.zone) + movingQuery;
      return fetch(url, { headers: { Accept: "application/json" } }).then(function (response) {
        return readJson(response).then(function (body) {
          if (!response.ok) {
            throw new Error(errorMessage(body, "Available times couldn't be loaded. Please try again."));
          }
          return body.slots || [];
        });
      }, function () {
        throw new Error("Available times couldn't be loaded (no connection). Please try again.");
      });
    }

    function record(first, last, slots, byDay, covered) {
      slots.forEach(function (slot) {
        var day = slot.start.slice(0, 10);
        (byDay[day] = byDay[day] || []).push(slot);
      });
      for (var day = first; day <= last; day = addDays(day, 1)) { covered[day] = true; }
    }

    function showMonth(options) {
      // Draw the month at once; its days stay unusable until its times are in.
      var opts = options || {};
      var seq = ++state.seq;
      var span = shownSpan();
      state.error = "";
      state.nextFree = "";
      if (coveredAll(span[0], span[1])) {
        state.loading = false;
        settle(seq, opts);
        return;
      }
      state.loading = true;
      renderMonth();
      renderSlots();
      fetchRange(span[0], span[1]).then(function (slots) {
        if (seq !== state.seq) { return; }
        record(span[0], span[1], slots, state.byDay, state.covered);
        state.loading = false;
        settle(seq, opts);
      }).catch(function (error) { failed(seq, error); });
    }

    function failed(seq, error) {
      if (seq !== state.seq) { return; }
      state.loading = false;
      state.error = error.message;
      renderMonth();
      renderSlots();
    }

    function settle(seq, opts) {
      // The month's times are in. An empty month looks ahead once: for the jump button or, when
      // the page or a zone opens, for the jump itself.
      var span = shownSpan();
      var free = freeIn(span[0], span[1]);
      if (!free && span[1] < state.last) {
        var first = addDays(span[1], 1);
        var last = addDays(first, 61) > state.last ? state.last : addDays(first, 61);
        var found = function () {
          state.loading = false;
          state.nextFree = freeIn(first, last);
          if (state.nextFree && opts.findFirst) {
            state.month = monthOf(state.nextFree);
            state.day = state.nextFree;
            state.focusDay = state.nextFree;
            showMonth({});
            return;
          }
          state.day = "";
          renderMonth();
          renderSlots();
        };
        if (coveredAll(first, last)) {
          found();
          return;
        }
        state.loading = true;
        renderMonth();
        renderSlots();
        fetchRange(first, last).then(function (slots) {
          if (seq !== state.seq) { return; }
          record(first, last, slots, state.byDay, state.covered);
          found();
        }).catch(function (error) { failed(seq, error); });
        return;
      }
      if (opts.findFirst) {
        state.day = free;
      } else if (state.day && (monthOf(state.day) !== state.month || !state.byDay[state.day])) {
        state.day = "";
      }
      if (!state.focusDay || monthOf(state.focusDay) !== state.month || opts.findFirst) {
        state.focusDay = state.day || free || span[0];
      }
      renderMonth();
      renderSlots();
    }

    function setZone(zone) {
      state.zone = zone;
      state.today = todayIn(zone);
      state.last = addDays(state.today, horizon);
      state.month = monthOf(state.today);
      state.day = "";
      state.focusDay = "";
      state.byDay = {};
      state.covered = {};
      state.nextFree = "";
      closeForm();
    }

    function zoneChosen(zone, sameZone) {
      if (sameZone) {  // a legacy name replaced by its canonical one: the same times
        state.zone = zone;
        renderSlots();
        return;
      }
      show(noticeEl, "");
      // One request per settled choice: a burst of changes (arrow keys on the fallback select)
      // loads once, after the last.
      window.clearTimeout(zoneTimer);
      state.seq++;
      setZone(zone);
      state.loading = true;
      renderMonth();
      renderSlots();
      zoneTimer = window.setTimeout(function () { showMonth({ findFirst: true }); }, 250);
    }

    function choose(slot) {
      state.slot = slot;
      markSelectedSlot();
      show(noticeEl, "");
      show($("form-error"), "");
      writeChosen();
      form.hidden = false;
      (rescheduleUrl ? confirmBtn : $("invitee-name")).focus();
    }

    function writeChosen() {
      if (!state.slot) { return; }
      $("chosen-slot").textContent = longDay(state.slot.start.slice(0, 10)) + ", " +
        timeLabel(state.slot.start, state.zone) + "–" + timeLabel(state.slot.end, state.zone) +
        " (" + zoneLabel(state.zone) + ")";
    }

    function changeTime() {
      var day = state.day;
      closeForm();
      var el = day && dayEl(day);
      if (el) {
        state.focusDay = day;
        el.focus();
      }
    }

    /* ---- booking */

    function setFieldError(name, text) {
      var input = $("invitee-" + name);
      show($(name + "-error"), text);
      if (text) {
        input.setAttribute("aria-invalid", "true");
        input.setAttribute("aria-describedby", name + "-error");
      } else {
        input.removeAttribute("aria-invalid");
        input.removeAttribute("aria-describedby");
      }
    }

    function fieldErrors(fields) {
      var first = "";
      ["name", "email"].forEach(function (name) {
        if (fields && fields[name]) {
          setFieldError(name, fields[name]);
          first = first || name;
        }
      });
      if (first) { $("invitee-" + first).focus(); }
      return !!first;
    }

    function confirmed(id) {
      window.location.assign(withEmbed("/book/" + encodeURIComponent(slug) + "/confirmed/" +
        encodeURIComponent(id) + "?tz=" + encodeURIComponent(state.zone) + (rescheduleUrl ? "&moved=1" : "")));
    }

    function refused(response, body, fallback) {
      reset();
      if (response.status === 409) {
        var day = state.day;
        closeForm();
        show(noticeEl, rescheduleUrl ? errorMessage(body, "That time isn't free. Please pick another time.")
          : "That time was just taken. Please pick another time.");
        // Fresh times for the month, the same day kept if it still has some.
        delete state.covered[day];
        var span = shownSpan();
        for (var d = span[0]; d <= span[1]; d = addDays(d, 1)) { delete state.covered[d]; delete state.byDay[d]; }
        showMonth({});
        noticeEl.setAttribute("tabindex", "-1");
        noticeEl.focus();
      } else if (response.status === 422) {
        var fields = body && body.error && body.error.fields;
        if (rescheduleUrl || !fieldErrors(fields)) { show($("form-error"), errorMessage(body, "Please check your details.")); }
      } else {
        show($("form-error"), errorMessage(body, fallback));
      }
    }

    function move(event) {
      event.preventDefault();
      if (!state.slot) { return; }
      show($("form-error"), "");
      confirmBtn.disabled = true;
      confirmBtn.textContent = "Moving…";
      fetch(rescheduleUrl, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ token: rescheduleToken, start: state.slot.start, timezone: state.zone })
      }).then(function (response) {
        return readJson(response).then(function (body) {
          if (response.ok && body && body.id) {
            confirmed(body.id);
            return;
          }
          refused(response, body, "The booking couldn't be moved. Please try again.");
        });
      }).catch(function () {
        reset();
        show($("form-error"), "The change couldn't be sent (no connection). Please try again.");
      });
    }

    function submit(event) {
      event.preventDefault();
      if (!state.slot) { return; }
      setFieldError("name", "");
      setFieldError("email", "");
      show($("form-error"), "");
      var name = $("invitee-name").value.trim();
      var email = $("invitee-email").value.trim();
      var missing = {};
      if (!name) { missing.name = "Please enter your name."; }
      if (!email) { missing.email = "Please enter your email address."; }
      if (fieldErrors(missing)) { return; }
      confirmBtn.disabled = true;
      confirmBtn.textContent = "Booking…";
      var payload = { start: state.slot.start, name: name, email: email, timezone: state.zone };
      fetch(API + encodeURIComponent(slug) + "/bookings", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify(payload)
      }).then(function (response) {
        return readJson(response).then(function (body) {
          if (response.status === 201 && body && body.id) {
            tellHost({ type: "workestra:booked", id: body.id, start: body.start, end: body.end }, hostOrigin());
            confirmed(body.id);
            return;
          }
          refused(response, body, "The booking couldn't be made. Please try again.");
        });
      }).catch(function () {
        reset();
        show($("form-error"), "The booking couldn't be sent (no connection). Please try again.");
      });
    }

    function reset() {
      confirmBtn.disabled = false;
      confirmBtn.textContent = confirmLabel;
    }

    /* ---- the 12/24-hour toggle */

    function clockToggle(picker) {
      var fieldset = $("clock-format");
      var twelve = $("clock-12");
      var twentyFour = $("clock-24");
      function sync() {
        var value = clockPreference();
        twelve.checked = value === "12";
        twentyFour.checked = value === "24";
      }
      function changed(event) {
        rememberClock(event.target.value);
        renderSlots();
        writeChosen();
        picker.refresh();
      }
      twelve.addEventListener("change", changed);
      twentyFour.addEventListener("change", changed);
      sync();
      fieldset.hidden = false;
    }

    table.addEventListener("keydown", onGridKey);
    table.addEventListener("click", onDayClick);
    slotsEl.addEventListener("keydown", onSlotKey);
    $("prev-month").addEventListener("click", function () {
      state.month = addMonths(state.month, -1);
      closeForm();
      showMonth({});
    });
    $("next-month").addEventListener("click", function () {
      state.month = addMonths(state.month, 1);
      closeForm();
      showMonth({});
    });
    jumpBtn.addEventListener("click", function () {
      var day = state.nextFree;
      if (!day) { return; }
      state.month = monthOf(day);
      state.day = day;
      state.focusDay = day;
      closeForm();
      showMonth({});
      var el = dayEl(day);
      if (el) { el.focus(); } else { table.focus(); }
    });
    $("change-time").addEventListener("click", changeTime);
    form.addEventListener("submit", rescheduleUrl ? move : submit);

    var zone = detectedZone(root);
    var picker = zonePicker($("tz"), zone, zoneChosen);
    clockToggle(picker);
    setZone(zone);
    showMonth({ findFirst: true });
    picker.load(root.getAttribute("data-zones-url"));
  }

  function detectedZone(root) {
    var zone = "";
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { zone = ""; }
    if (!zone || !validZone(zone)) { zone = root.getAttribute("data-link-timezone") || "UTC"; }
    return zone;
  }

  function confirmationTimes() {
    // The summary in the invitee's clock (12 or 24 hours), as on the booking page.
    var el = document.querySelector("time[data-end][data-zone]");
    if (!el) { return; }
    var zone = el.getAttribute("data-zone");
    try {
      var start = new Date(el.getAttribute("datetime"));
      var end = new Date(el.getAttribute("data-end"));
      var date = new Intl.DateTimeFormat(undefined, {
        timeZone: zone, weekday: "long", day: "numeric", month: "long", year: "numeric"
      }).format(start);
      el.textContent = date + ", " + new Intl.DateTimeFormat(undefined, timeOptions(zone)).format(start) +
        "–" + new Intl.DateTimeFormat(undefined, timeOptions(zone)).format(end);
    } catch (e) { /* keep the server's text */ }
  }

  function pollMeetingLink(el) {
    var url = el.getAttribute("data-poll");
    var target = $("meeting-link");
    var tries = 0;
    function done(node) {
      target.textContent = "";
      target.appendChild(node);
    }
    function tick() {
      tries += 1;
      fetch(url, { headers: { Accept: "application/json" }, cache: "no-store" }).then(function (response) {
        return response.ok ? response.json() : null;
      }).then(function (body) {
        var link = body && body.meeting_url;
        if (link && /^https?:\/\//.test(link)) {
          var a = document.createElement("a");
          a.className = "join button";
          a.href = link;
          a.target = "_blank";
          a.rel = "noopener noreferrer";
          a.textContent = "Join";
          var text = document.createElement("span");
          text.className = "url";
          text.textContent = " " + link;
          var wrap = document.createDocumentFragment();
          wrap.appendChild(a);
          wrap.appendChild(text);
          done(wrap);
          withMeetingLink(link);
          return;
        }
        if (body && body.awaiting_link === false) {
          var note = document.createElement("span");
          note.className = "muted";
          note.textContent = "No online meeting link was created. The host will send the details.";
          done(note);
          return;
        }
        if (tries < 60) { window.setTimeout(tick, 3000); }
      }).catch(function () {
        if (tries < 60) { window.setTimeout(tick, 5000); }
      });
    }
    window.setTimeout(tick, 1500);
  }

  function withMeetingLink(link) {
    // The add-to-calendar links were made before the meeting link existed: they carry it now.
    var anchors = document.querySelectorAll("a[data-calendar]");
    for (var i = 0; i < anchors.length; i++) {
      try {
        var url = new URL(anchors[i].href);
        url.searchParams.set("location", link);
        url.searchParams.set(anchors[i].getAttribute("data-calendar") === "google" ? "details" : "body",
          "Meeting link: " + link);
        anchors[i].href = url.toString();
      } catch (e) { /* leave it */ }
    }
  }

  if (embedQuery !== null) { embedded(); }
  var root = $("booking");
  if (root) { bookingPage(root); }
  var cancelling = $("cancel-form");
  if (cancelling && cancelling.getAttribute("data-cancel-api")) { cancelForm(cancelling); }
  var confirmation = $("confirmation");
  if (confirmation) { confirmationTimes(); }
  if (confirmation && confirmation.getAttribute("data-poll")) { pollMeetingLink(confirmation); }
})();
