/* Copy buttons: <button data-copy="ID"> copies the value of the field with that id (the embed
   snippets on a link's page) and says so in #copy-status. No inline scripts. */
(function () {
  "use strict";

  var status = document.getElementById("copy-status");

  function said(text) {
    if (status) { status.textContent = text; }
  }

  function copy(field) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(field.value);
    }
    field.focus();
    field.select();
    return document.execCommand("copy") ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }

  Array.prototype.forEach.call(document.querySelectorAll("button[data-copy]"), function (button) {
    button.addEventListener("click", function () {
      var field = document.getElementById(button.getAttribute("data-copy"));
      if (!field) { return; }
      copy(field).then(function () {
        said("Copied to the clipboard.");
      }).catch(function () {
        field.focus();
        field.select();
        said("Press Ctrl+C (or ⌘C) to copy the selected snippet.");
      });
    });
  });
})();
