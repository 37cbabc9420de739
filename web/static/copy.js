// "Copy the references": the list's text to the clipboard.  The button is hidden until this
// script runs, so without JavaScript nobody is offered a button that does nothing.
(function () {
  "use strict";
  var button = document.getElementById("copy-references");
  if (!button || !navigator.clipboard) { return; }
  var status = document.getElementById("copy-status");
  button.hidden = false;
  button.addEventListener("click", function () {
    var items = document.getElementById(button.getAttribute("data-target")).querySelectorAll("li");
    var text = Array.prototype.map.call(items, function (li) { return li.textContent; }).join("\n\n");
    navigator.clipboard.writeText(text).then(function () {
      status.textContent = "Copied " + items.length + " references.";
    }, function () {
      status.textContent = "Your browser did not allow copying: select the list and copy it.";
    });
  });
}());
