// Next and previous match on a letter page: the buttons (and the keys n and p) move focus
// from one marked match to the next. Without this script the links jump to the first and last.
(function () {
  "use strict";
  var marks = Array.prototype.slice.call(document.querySelectorAll("mark[id^='m']"));
  var next = document.getElementById("next-match");
  var previous = document.getElementById("previous-match");
  if (!marks.length || !next || !previous) { return; }
  var current = -1;
  function go(step) {
    if (current >= 0) { marks[current].classList.remove("current"); }
    current = (current + step + marks.length) % marks.length;
    var mark = marks[current];
    mark.classList.add("current");
    mark.focus();
    mark.scrollIntoView({ block: "center" });
    history.replaceState(null, "", "#" + mark.id);
    document.getElementById("match-count").setAttribute("data-current", String(current + 1));
  }
  next.addEventListener("click", function (event) { event.preventDefault(); go(1); });
  previous.addEventListener("click", function (event) { event.preventDefault(); go(-1); });
  document.addEventListener("keydown", function (event) {
    if (event.target.closest("input, textarea, select") || event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (event.key === "n") { go(1); } else if (event.key === "p") { go(-1); }
  });
})();
