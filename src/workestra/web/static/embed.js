/* Workestra booking widget, for a host's own site:

     <div data-workestra-link="SLUG"></div>
     <script src="BASE/embed.js" async></script>

   Each such div gets an iframe of BASE/book/SLUG?embed=1 (no site chrome), sized to its content.
   Options on the div: data-workestra-accent="#0a7" (a hex colour: the widget's buttons and
   selections, darkened where needed to stay readable); data-workestra-mode="popup" with
   data-workestra-label="Book a call": a button that opens the booking page in a modal dialog.
   When the invitee books, the div dispatches a bubbling "workestra:booked" CustomEvent with
   detail {id, start, end} (ISO 8601 in the invitee's zone).

   Messages are taken only from our own frames: event.source must be one of the iframes made
   here and event.origin the origin this script came from. Dependency-free, no inline style
   (elements are styled through the CSSOM, which a host page's style-src doesn't block), no
   globals besides window.Workestra.scan (for divs added later). */
(function () {
  "use strict";

  var SLUG = /^[a-z0-9](?:[a-z0-9-]{0,98}[a-z0-9])?$/;
  var ACCENT = /^#?(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/;
  var MAX_HEIGHT = 20000;

  function scriptUrl() {
    var current = document.currentScript;
    if (current && current.src) { return current.src; }
    var scripts = document.querySelectorAll("script[src]");
    for (var i = scripts.length - 1; i >= 0; i--) {
      if (/\/embed\.js(?:[?#]|$)/.test(scripts[i].src)) { return scripts[i].src; }
    }
    return "";
  }

  var src = scriptUrl();
  if (!src) { return; }
  var base = src.replace(/\/embed\.js(?:[?#].*)?$/, "");
  var baseOrigin = new URL(src).origin;
  var widgets = [];  // {frame, element, dialog}

  function css(element, styles) {
    Object.keys(styles).forEach(function (name) { element.style.setProperty(name, styles[name]); });
  }

  function frameUrl(element) {
    var slug = (element.getAttribute("data-workestra-link") || "").trim().toLowerCase();
    if (!SLUG.test(slug)) { return ""; }
    var url = base + "/book/" + encodeURIComponent(slug) + "?embed=1";
    var accent = (element.getAttribute("data-workestra-accent") || "").trim();
    if (ACCENT.test(accent)) { url += "&accent=" + encodeURIComponent(accent.charAt(0) === "#" ? accent : "#" + accent); }
    return url;
  }

  function makeFrame(url, title) {
    var frame = document.createElement("iframe");
    frame.src = url;
    frame.title = title;
    frame.className = "workestra-frame";
    css(frame, { display: "block", width: "100%", height: "640px", border: "0", "color-scheme": "light" });
    return frame;
  }

  function widgetFor(source) {
    for (var i = 0; i < widgets.length; i++) {
      if (widgets[i].frame.contentWindow === source) { return widgets[i]; }
    }
    return null;
  }

  function onMessage(event) {
    if (event.origin !== baseOrigin) { return; }
    var widget = widgetFor(event.source);
    var data = event.data;
    if (!widget || !data || typeof data !== "object") { return; }
    if (data.type === "workestra:resize") {
      var height = Number(data.height);
      if (isFinite(height) && height > 0) {
        widget.frame.style.setProperty("height", Math.min(Math.ceil(height), MAX_HEIGHT) + "px");
      }
    } else if (data.type === "workestra:booked") {
      if (typeof data.id !== "string" || typeof data.start !== "string" || typeof data.end !== "string") { return; }
      widget.element.dispatchEvent(new CustomEvent("workestra:booked", {
        bubbles: true,
        detail: { id: data.id, start: data.start, end: data.end }
      }));
    } else if (data.type === "workestra:close" && widget.dialog && widget.dialog.open) {
      widget.dialog.close();
    }
  }

  function inline(element, url) {
    var frame = makeFrame(url, "Booking page");
    element.appendChild(frame);
    widgets.push({ frame: frame, element: element, dialog: null });
  }

  function popup(element, url) {
    var label = (element.getAttribute("data-workestra-label") || "").trim() || "Book a time";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "workestra-button";
    button.textContent = label;
    button.setAttribute("aria-haspopup", "dialog");
    element.appendChild(button);

    var dialog = document.createElement("dialog");
    dialog.className = "workestra-dialog";
    dialog.setAttribute("aria-label", label);
    css(dialog, {
      padding: "0", border: "0", "border-radius": "12px", width: "min(960px, calc(100vw - 2rem))",
      "max-width": "calc(100vw - 2rem)", "max-height": "calc(100vh - 2rem)", overflow: "auto",
      background: "#ffffff", "box-shadow": "0 10px 40px rgba(0, 0, 0, .35)"
    });
    var bar = document.createElement("div");
    css(bar, { display: "flex", "justify-content": "flex-end", padding: ".25rem" });
    var close = document.createElement("button");
    close.type = "button";
    close.className = "workestra-close";
    close.setAttribute("aria-label", "Close");
    close.textContent = "\u00d7";
    css(close, {
      font: "inherit", "font-size": "1.5rem", "line-height": "1", padding: ".25rem .6rem", cursor: "pointer",
      border: "0", background: "transparent", color: "#1c2430"
    });
    bar.appendChild(close);
    dialog.appendChild(bar);
    var widget = { frame: null, element: element, dialog: dialog };
    var opener = null;

    close.addEventListener("click", function () { dialog.close(); });
    dialog.addEventListener("click", function (event) {
      if (event.target === dialog) { dialog.close(); }  // the backdrop
    });
    // Escape: the dialog's own cancel while focus is in this page; from inside the frame, its
    // "workestra:close" message. Either way focus goes back to what opened it.
    dialog.addEventListener("close", function () {
      if (opener && typeof opener.focus === "function") { opener.focus(); }
    });
    button.addEventListener("click", function () {
      if (!widget.frame) {
        widget.frame = makeFrame(url, label);
        dialog.appendChild(widget.frame);
        widgets.push(widget);
      }
      if (!dialog.parentNode) { document.body.appendChild(dialog); }
      opener = document.activeElement;
      if (typeof dialog.showModal === "function") {
        dialog.showModal();  // the rest of the page is inert: focus stays in the dialog
        widget.frame.focus();
      } else {
        window.open(url, "_blank", "noopener");
      }
    });
  }

  function scan() {
    var elements = document.querySelectorAll("[data-workestra-link]");
    for (var i = 0; i < elements.length; i++) {
      var element = elements[i];
      if (element.getAttribute("data-workestra-ready")) { continue; }
      var url = frameUrl(element);
      if (!url) { continue; }
      element.setAttribute("data-workestra-ready", "1");
      if (element.getAttribute("data-workestra-mode") === "popup") { popup(element, url); } else { inline(element, url); }
    }
  }

  window.addEventListener("message", onMessage);
  window.Workestra = window.Workestra || {};
  window.Workestra.scan = scan;
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", scan);
  } else {
    scan();
  }
})();
