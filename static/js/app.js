// Small progressive enhancements; every page works without them.
(function () {
  "use strict";

  // Ask before destructive form submissions marked with data-confirm.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // Remove a row of an editable table (the invoice line editor); listeners recompute totals.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-remove-row]");
    if (button) {
      var row = button.closest("tr, .line-row");
      if (row && row.parentElement.children.length > 1) {
        row.remove();
        document.body.dispatchEvent(new Event("line-removed"));
      }
    }
  });

  // A filter link (a status tab) sets its value in the list's filter form and submits the
  // form, so that every filter applies together and the last action's answer is the one shown
  // (the form's requests replace each other). Without htmx the link is a plain link.
  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-filter-form]");
    if (!link || !window.htmx || event.ctrlKey || event.metaKey || event.shiftKey) { return; }
    var form = document.getElementById(link.getAttribute("data-filter-form"));
    var input = form && form.querySelector("[name='" + link.getAttribute("data-filter") + "']");
    if (!input) { return; }
    event.preventDefault();
    input.value = link.getAttribute("data-value");
    window.htmx.trigger(form, "submit");
  });

  // Dismissable messages.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-dismiss]");
    if (button) {
      button.parentElement.remove();
    }
    // Close open menus when clicking elsewhere.
    document.querySelectorAll("details[data-menu][open]").forEach(function (menu) {
      if (!menu.contains(event.target)) {
        menu.removeAttribute("open");
      }
    });
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      document.querySelectorAll("details[data-menu][open]").forEach(function (menu) {
        menu.removeAttribute("open");
        menu.querySelector("summary").focus();
      });
    }
  });

  // A panel that loads after its page (history, attachments) reports its own failure in
  // place, with a retry: it never speaks for the page's main action.
  function panelFailed(event, reason) {
    var elt = event.detail.elt;
    var panel = elt && elt.closest ? elt.closest("[data-panel]") : null;
    if (!panel) { return false; }
    var note = panel.querySelector("[data-panel-error]") || document.createElement("p");
    note.setAttribute("data-panel-error", "");
    note.setAttribute("role", "alert");
    note.className = "error";
    note.textContent = "Couldn't load the " + panel.getAttribute("data-panel") + " (" + reason + "). ";
    var url = panel.getAttribute("data-panel-url");
    if (url && window.htmx) {
      var retry = document.createElement("button");
      retry.type = "button";
      retry.className = "btn btn-sm";
      retry.textContent = "Try again";
      retry.addEventListener("click", function () {
        window.htmx.ajax("GET", url, {target: panel, swap: "outerHTML"});
      });
      note.appendChild(retry);
    }
    var body = panel.querySelector("[data-panel-body]");
    if (body) { body.replaceWith(note); } else if (!note.parentNode) { panel.appendChild(note); }
    return true;
  }

  // htmx: show a readable message when a request fails instead of doing nothing.
  document.addEventListener("htmx:responseError", function (event) {
    if (panelFailed(event, "error " + event.detail.xhr.status)) { return; }
    var box = document.getElementById("messages");
    if (!box) { return; }
    var status = event.detail.xhr.status;
    var text = status === 403 ? "You don't have permission to do that."
      : status === 404 ? "That item no longer exists, or you no longer have access to it."
      : "Something went wrong (" + status + "). Nothing was changed; please try again.";
    var div = document.createElement("div");
    div.className = "message message-error";
    div.textContent = text;
    box.appendChild(div);
  });
  document.addEventListener("htmx:sendError", function (event) {
    if (panelFailed(event, "the server could not be reached")) { return; }
    var box = document.getElementById("messages");
    if (!box) { return; }
    var div = document.createElement("div");
    div.className = "message message-error";
    div.textContent = "The server could not be reached. Check your connection and try again.";
    box.appendChild(div);
  });
})();
