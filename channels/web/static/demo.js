/* The demo page: each "Try asking" suggestion opens the chat and sends its
 * question through the widget's public API (ConciergeWidget.ask). */
(function () {
  'use strict';
  document.addEventListener('click', function (e) {
    var b = e.target.closest && e.target.closest('button[data-ask]');
    if (b && window.ConciergeWidget) window.ConciergeWidget.ask(b.getAttribute('data-ask'));
  });
})();
