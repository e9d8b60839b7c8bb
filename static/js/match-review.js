// The match run review pages in the admin: fill the mentor box's suggestions from the
// run's mentors endpoint as the admin types. Without this file the box still works: the
// server finds the mentor by the name or email typed.
(function () {
  "use strict";

  var WAIT_MS = 200;

  // Django's JavaScript catalogue (loaded before this file) gives gettext and friends;
  // without it the words stay English.
  var gettext = window.gettext || function (text) { return text; };
  var ngettext = window.ngettext || function (one, many, n) { return n === 1 ? one : many; };
  var interpolate = window.interpolate || function (text, values) {
    var i = 0;
    return text.replace(/%s/g, function () { return String(values[i++]); });
  };

  function label(mentor) {
    var score = mentor.score === null
      ? gettext("not allowed for this mentee")
      : interpolate(gettext("score %s"), [mentor.score.toFixed(3)]);
    var places = interpolate(ngettext("%s place left", "%s places left", mentor.places), [mentor.places]);
    return mentor.name + " · " + score + " · " + places;
  }

  function fill(list, mentors) {
    var options = mentors.map(function (mentor) {
      var option = document.createElement("option");
      option.value = mentor.email;
      option.label = label(mentor);
      option.textContent = label(mentor);
      return option;
    });
    list.replaceChildren.apply(list, options);
  }

  function lookup(input, endpoint) {
    var term = input.value.trim();
    var list = document.getElementById(input.getAttribute("list"));
    if (!list || term.length < 2) {
      return;
    }
    var url = new URL(endpoint, window.location.href);
    url.searchParams.set("q", term);
    url.searchParams.set("mentee", input.dataset.mentee);
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.ok ? response.json() : { results: [] };
      })
      .then(function (data) {
        // Only the box still being typed in: an older answer must not overwrite a newer one.
        if (input.value.trim() === term) {
          fill(list, data.results || []);
        }
      })
      .catch(function () {
        // The typed fallback still works; nothing to show.
      });
  }

  document.querySelectorAll("input[data-mentee][list]").forEach(function (input) {
    var scope = input.closest("[data-mentors-url]");
    if (!scope) {
      return;
    }
    var timer = null;
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        lookup(input, scope.dataset.mentorsUrl);
      }, WAIT_MS);
    });
  });
})();
