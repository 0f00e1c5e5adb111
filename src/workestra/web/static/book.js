/* Workestra booking page: days and slots from the public JSON API, booking by POST, and the
   confirmation page's wait for a meeting link. The same page moves a booking when it carries
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

  function dayParts(day) {
    var p = day.split("-").map(Number);
    var date = new Date(Date.UTC(p[0], p[1] - 1, p[2], 12));
    var fmt = function (opts) {
      opts.timeZone = "UTC";
      return new Intl.DateTimeFormat(undefined, opts).format(date);
    };
    return {
      weekday: fmt({ weekday: "short" }),
      number: fmt({ day: "numeric" }),
      month: fmt({ month: "short" }),
      long: fmt({ weekday: "long", day: "numeric", month: "long" })
    };
  }

  function timeLabel(iso, zone) {
    try {
      return new Intl.DateTimeFormat(undefined, {
        timeZone: zone, hour: "2-digit", minute: "2-digit"
      }).format(new Date(iso));
    } catch (e) {
      return iso.slice(11, 16);
    }
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

  function bookingPage(root) {
    var slug = root.getAttribute("data-slug");
    var horizon = parseInt(root.getAttribute("data-horizon-days"), 10) || 60;
    var tzSelect = $("tz");
    var daysEl = $("days");
    var slotsEl = $("slots");
    var statusEl = $("slots-status");
    var noticeEl = $("notice");
    var form = $("booking-form");
    var confirmBtn = $("confirm");
    var confirmLabel = confirmBtn.textContent;
    var rescheduleUrl = root.getAttribute("data-reschedule-url");
    var rescheduleToken = root.getAttribute("data-reschedule-token") || "";
    // A booking being moved: its own time is offered too (it can move by less than its length).
    var movingQuery = rescheduleUrl ? "&reschedule=" + encodeURIComponent(root.getAttribute("data-booking-id") || "") +
      "&token=" + encodeURIComponent(rescheduleToken) : "";
    var state = { zone: "", today: "", weekStart: "", day: "", byDay: {}, slot: null, seq: 0 };

    function ensureOption(zone) {
      for (var i = 0; i < tzSelect.options.length; i++) {
        if (tzSelect.options[i].value === zone) { return; }
      }
      var option = document.createElement("option");
      option.value = zone;
      option.textContent = zone.replace(/_/g, " ");
      tzSelect.insertBefore(option, tzSelect.firstChild);
    }

    function loadZones() {
      // The full list is a cached asset (zones.json), not part of the page: until it arrives the
      // select offers the browser's zone and the link's, and stays usable if it never does.
      var url = root.getAttribute("data-zones-url");
      if (!url) { return; }
      fetch(url, { headers: { Accept: "application/json" } }).then(function (response) {
        return response.ok ? response.json() : null;
      }).then(function (zones) {
        if (!Array.isArray(zones) || !zones.length) { return; }
        var current = tzSelect.value;
        var fragment = document.createDocumentFragment();
        zones.forEach(function (zone) {
          var option = document.createElement("option");
          option.value = zone;
          option.textContent = zone.replace(/_/g, " ");
          fragment.appendChild(option);
        });
        tzSelect.textContent = "";
        tzSelect.appendChild(fragment);
        ensureOption(root.getAttribute("data-link-timezone") || "UTC");
        ensureOption(current);
        tzSelect.value = current;
      }).catch(function () { /* keep the zones already offered */ });
    }

    function detectedZone() {
      var zone = "";
      try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { zone = ""; }
      if (!zone || !validZone(zone)) { zone = root.getAttribute("data-link-timezone") || "UTC"; }
      return zone;
    }

    function setZone(zone) {
      state.zone = zone;
      state.today = todayIn(zone);
      state.weekStart = state.today;
      state.day = "";
      closeForm();
    }

    function closeForm() {
      state.slot = null;
      form.hidden = true;
      markSelectedSlot();
    }

    function renderDays() {
      daysEl.textContent = "";
      for (var i = 0; i < 7; i++) {
        var day = addDays(state.weekStart, i);
        var count = (state.byDay[day] || []).length;
        var parts = dayParts(day);
        var button = document.createElement("button");
        button.type = "button";
        button.className = "day";
        button.setAttribute("data-day", day);
        button.setAttribute("aria-pressed", day === state.day ? "true" : "false");
        button.setAttribute("aria-label", parts.long + (count ? ", " + count + " times" : ", no times"));
        button.disabled = count === 0;
        var w = document.createElement("span"); w.className = "day-weekday"; w.textContent = parts.weekday;
        var n = document.createElement("span"); n.className = "day-number"; n.textContent = parts.number;
        var m = document.createElement("span"); m.className = "day-month"; m.textContent = parts.month;
        button.appendChild(w); button.appendChild(n); button.appendChild(m);
        button.addEventListener("click", onDay);
        daysEl.appendChild(button);
      }
      var first = dayParts(state.weekStart);
      var last = dayParts(addDays(state.weekStart, 6));
      $("week-label").textContent = first.number + " " + first.month + " – " + last.number + " " + last.month;
      $("prev-week").disabled = state.weekStart <= state.today;
      $("next-week").disabled = addDays(state.weekStart, 7) > addDays(state.today, horizon);
    }

    function onDay(event) {
      state.day = event.currentTarget.getAttribute("data-day");
      closeForm();
      renderDays();
      renderSlots();
    }

    function renderSlots() {
      slotsEl.textContent = "";
      var slots = state.byDay[state.day] || [];
      if (!state.day) {
        statusEl.textContent = "No times available these 7 days. Try the next days.";
        return;
      }
      statusEl.textContent = dayParts(state.day).long + " · times in " + state.zone.replace(/_/g, " ");
      slots.forEach(function (slot) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "slot";
        button.setAttribute("data-start", slot.start);
        button.setAttribute("aria-pressed", "false");
        button.textContent = timeLabel(slot.start, state.zone);
        button.addEventListener("click", function () { choose(slot); });
        slotsEl.appendChild(button);
      });
    }

    function markSelectedSlot() {
      var buttons = slotsEl.querySelectorAll("button.slot");
      for (var i = 0; i < buttons.length; i++) {
        var on = state.slot !== null && buttons[i].getAttribute("data-start") === state.slot.start;
        buttons[i].setAttribute("aria-pressed", on ? "true" : "false");
      }
    }

    function load() {
      var seq = ++state.seq;
      var end = addDays(state.weekStart, 6);
      statusEl.textContent = "Loading available times…";
      slotsEl.textContent = "";
      var url = API + encodeURIComponent(slug) + "/slots?start=" + state.weekStart + "&end=" + end +
        "&timezone=" + encodeURIComponent(state.zone) + movingQuery;
      fetch(url, { headers: { Accept: "application/json" } }).then(function (response) {
        return readJson(response).then(function (body) {
          if (seq !== state.seq) { return; }
          if (!response.ok) {
            state.byDay = {};
            state.day = "";
            renderDays();
            statusEl.textContent = errorMessage(body, "Available times couldn't be loaded. Please try again.");
            return;
          }
          var byDay = {};
          (body.slots || []).forEach(function (slot) {
            var day = slot.start.slice(0, 10);
            (byDay[day] = byDay[day] || []).push(slot);
          });
          state.byDay = byDay;
          if (!byDay[state.day]) {
            state.day = "";
            for (var i = 0; i < 7; i++) {
              var day = addDays(state.weekStart, i);
              if (byDay[day]) { state.day = day; break; }
            }
          }
          renderDays();
          renderSlots();
        });
      }).catch(function () {
        if (seq === state.seq) {
          statusEl.textContent = "Available times couldn't be loaded (no connection). Please try again.";
        }
      });
    }

    function choose(slot) {
      state.slot = slot;
      markSelectedSlot();
      show(noticeEl, "");
      show($("form-error"), "");
      $("chosen-slot").textContent = dayParts(slot.start.slice(0, 10)).long + ", " +
        timeLabel(slot.start, state.zone) + "–" + timeLabel(slot.end, state.zone) +
        " (" + state.zone.replace(/_/g, " ") + ")";
      form.hidden = false;
      (rescheduleUrl ? confirmBtn : $("invitee-name")).focus();
    }

    function fieldErrors(fields) {
      var shown = false;
      ["name", "email"].forEach(function (name) {
        if (fields && fields[name]) { show($(name + "-error"), fields[name]); shown = true; }
      });
      return shown;
    }

    function confirmed(id) {
      window.location.assign(withEmbed("/book/" + encodeURIComponent(slug) + "/confirmed/" +
        encodeURIComponent(id) + "?tz=" + encodeURIComponent(state.zone) + (rescheduleUrl ? "&moved=1" : "")));
    }

    function refused(response, body, fallback) {
      reset();
      if (response.status === 409) {
        closeForm();
        show(noticeEl, rescheduleUrl ? errorMessage(body, "That time isn't free. Please pick another time.")
          : "That time was just taken. Please pick another time.");
        load();
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
      show($("name-error"), "");
      show($("email-error"), "");
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

    tzSelect.addEventListener("change", function () {
      show(noticeEl, "");
      setZone(tzSelect.value);
      load();
    });
    $("prev-week").addEventListener("click", function () {
      var start = addDays(state.weekStart, -7);
      state.weekStart = start < state.today ? state.today : start;
      closeForm();
      load();
    });
    $("next-week").addEventListener("click", function () {
      state.weekStart = addDays(state.weekStart, 7);
      closeForm();
      load();
    });
    $("change-time").addEventListener("click", closeForm);
    form.addEventListener("submit", rescheduleUrl ? move : submit);

    var zone = detectedZone();
    ensureOption(zone);
    tzSelect.value = zone;
    setZone(zone);
    load();
    loadZones();
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

  if (embedQuery !== null) { embedded(); }
  var root = $("booking");
  if (root) { bookingPage(root); }
  var cancelling = $("cancel-form");
  if (cancelling && cancelling.getAttribute("data-cancel-api")) { cancelForm(cancelling); }
  var confirmation = $("confirmation");
  if (confirmation && confirmation.getAttribute("data-poll")) { pollMeetingLink(confirmation); }
})();
