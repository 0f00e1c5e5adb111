/* The booking-link form (settings/link_form.html), a progressive enhancement; without it the
   server does the same (an empty slug is made from the title, errors are listed and tied to
   their fields).
   - A new link's slug follows its title as the host types ("Café Crème" -> "cafe-creme"), until
     the host edits the slug by hand (emptying it follows the title again).
   - The error summary takes focus when the page opens; its links focus the field they name.
   - Only the chosen team's pool is shown (without this script every team's pool is, each saying
     when it is used; the server reads only the chosen one). */
(function () {
  "use strict";

  // Keep in step with workestra.services.slugs.slug_from_title.
  var SPELLED = { "ß": "ss", "æ": "ae", "ø": "o", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th" };
  var MAX_SLUG = 100;

  function slugFromTitle(title) {
    var text = title.toLowerCase().replace(/[ßæøœłđðþ]/g, function (c) { return SPELLED[c]; });
    var slug = text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "")
      .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
    return slug.slice(0, MAX_SLUG).replace(/-+$/, "");
  }

  var slug = document.querySelector("input[data-slug-from]");
  var title = slug && document.getElementById(slug.getAttribute("data-slug-from"));
  if (slug && title) {
    // A slug the host hasn't made their own (empty, or what the title gives) keeps following.
    var following = slug.value === "" || slug.value === slugFromTitle(title.value);
    title.addEventListener("input", function () {
      if (following) { slug.value = slugFromTitle(title.value); }
    });
    slug.addEventListener("input", function () {
      following = slug.value === "";
    });
  }

  var team = document.querySelector("select[data-pool-choice]");
  if (team) {
    var showPool = function () {
      Array.prototype.forEach.call(document.querySelectorAll("fieldset[data-team]"), function (pool) {
        pool.hidden = pool.getAttribute("data-team") !== team.value;
      });
    };
    team.addEventListener("change", showPool);
    showPool();
  }

  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
    Array.prototype.forEach.call(summary.querySelectorAll("a[href^='#']"), function (link) {
      link.addEventListener("click", function (event) {
        var field = document.getElementById(link.getAttribute("href").slice(1));
        if (!field) { return; }
        event.preventDefault();
        // Show the field's label (or the hours' heading) above it, then put the caret in it.
        var label = document.querySelector("label[for='" + field.id + "']") || field.closest("section");
        (label || field).scrollIntoView({ block: "start" });
        field.focus({ preventScroll: true });
      });
    });
  }
})();
