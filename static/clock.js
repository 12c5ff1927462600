// Shared by the pages: local wall-clock time with milliseconds,
// e.g. 14:03:07.250, as window.spinSseClock(date).
"use strict";

(function () {
  function pad(n, width) {
    return String(n).padStart(width, "0");
  }

  window.spinSseClock = function (date) {
    return (
      pad(date.getHours(), 2) + ":" + pad(date.getMinutes(), 2) + ":" +
      pad(date.getSeconds(), 2) + "." + pad(date.getMilliseconds(), 3)
    );
  };
})();
