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

  // Remove a row of an editable table (a line editor); listeners recompute totals.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-remove-row]");
    if (button) {
      var row = button.closest("tr, .line-row, .journal-row");
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

  // The line editor: Enter in a line's box moves to the same box on the next line, and on the
  // last line adds a line and goes to it (it never submits the form half-typed).
  var focusNewLine = false;
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || event.shiftKey || event.ctrlKey || event.metaKey) { return; }
    var box = event.target;
    var row = box.closest && box.closest(".line-row");
    if (!row || box.tagName !== "INPUT") { return; }
    event.preventDefault();
    var next = row.nextElementSibling;
    while (next && !next.classList.contains("line-row")) { next = next.nextElementSibling; }
    var field = box.name.replace(/^line-\d+-/, "");
    if (next) {
      var same = next.querySelector("[name$='-" + field + "']");
      if (same) { same.focus(); }
      return;
    }
    var add = document.getElementById("add-line");
    if (add) {
      focusNewLine = true;
      add.click();
    }
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    if (!focusNewLine || !event.detail.target || event.detail.target.id !== "line-rows") { return; }
    focusNewLine = false;
    var rows = event.detail.target.querySelectorAll(".line-row");
    var first = rows.length && rows[rows.length - 1].querySelector("input, select, textarea");
    if (first) { first.focus(); }
  });

  // Comboboxes (the contact picker): the list under the box comes from the server as the
  // user types; arrows move through it, Enter or a click chooses, Escape closes. The choice's
  // value goes in the hidden input named by data-combobox; typing again clears it (the server
  // then resolves a name typed in full, as it does without JavaScript).
  function comboboxParts(input) {
    var list = document.getElementById(input.getAttribute("aria-controls"));
    var hidden = input.form && input.form.querySelector("input[type=hidden][name='" + input.getAttribute("data-combobox") + "']");
    return {list: list, hidden: hidden};
  }
  function comboboxClose(input) {
    var list = comboboxParts(input).list;
    if (list) { list.hidden = true; }
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }
  function comboboxChoose(input, option) {
    if (input.getAttribute("data-combobox") === "go") {
      // The quick switcher: its suggestions are places to go.
      window.location.assign(option.getAttribute("data-value"));
      return;
    }
    var parts = comboboxParts(input);
    input.value = option.getAttribute("data-label");
    if (parts.hidden) {
      parts.hidden.value = option.getAttribute("data-value");
      parts.hidden.dispatchEvent(new Event("change", {bubbles: true}));
    }
    comboboxClose(input);
  }
  function comboboxMove(input, step) {
    var list = comboboxParts(input).list;
    if (!list || list.hidden) { return; }
    var options = Array.prototype.slice.call(list.querySelectorAll("[role=option]"));
    if (!options.length) { return; }
    var current = options.findIndex(function (o) { return o.getAttribute("aria-selected") === "true"; });
    var next = current < 0 ? (step > 0 ? 0 : options.length - 1) : (current + step + options.length) % options.length;
    options.forEach(function (o, i) { o.setAttribute("aria-selected", i === next ? "true" : "false"); });
    input.setAttribute("aria-activedescendant", options[next].id);
    options[next].scrollIntoView({block: "nearest"});
  }
  document.addEventListener("htmx:beforeSwap", function (event) {
    // Remember the suggestion the arrows were on, to keep it if the new list still has it.
    var list = event.detail.target;
    var active = list && list.classList && list.classList.contains("combobox-list") && list.querySelector("[aria-selected=true]");
    comboboxKept = active ? active.getAttribute("data-value") : null;
  });
  var comboboxKept = null;
  document.addEventListener("htmx:afterSwap", function (event) {
    var list = event.detail.target;
    var input = list && list.id && document.querySelector("[data-combobox][aria-controls='" + list.id + "']");
    list = input && document.getElementById(list.id);
    if (!input || document.activeElement !== input) { return; }
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    input.removeAttribute("aria-activedescendant");
    var kept = comboboxKept && Array.prototype.find.call(list.querySelectorAll("[role=option]"), function (o) {
      return o.getAttribute("data-value") === comboboxKept;
    });
    if (kept) {
      kept.setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", kept.id);
    }
  });
  // A suggestion's "use" button fills the picker it names with the suggested choice.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button[data-fill-picker]");
    var input = button && document.getElementById(button.getAttribute("data-fill-picker"));
    if (!input) { return; }
    comboboxChoose(input, button);
    input.focus();
  });
  document.addEventListener("input", function (event) {
    var input = event.target.closest && event.target.closest("[data-combobox]");
    if (!input) { return; }
    var hidden = comboboxParts(input).hidden;
    if (hidden && hidden.value) { hidden.value = ""; }
    // What the list offers is for the text before this keystroke: it closes until the answer
    // for the new text arrives, so that Enter never picks a stale suggestion.
    comboboxClose(input);
  });
  document.addEventListener("keydown", function (event) {
    var input = event.target.closest && event.target.closest("[data-combobox]");
    if (!input) { return; }
    var list = comboboxParts(input).list;
    var open = list && !list.hidden;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      comboboxMove(input, event.key === "ArrowDown" ? 1 : -1);
    } else if (event.key === "Enter") {
      // Enter chooses; it never submits a form from this box (the quick switcher's, with
      // nothing to choose, goes to its page of results).
      var active = open && (list.querySelector("[aria-selected=true]") || list.querySelector("[role=option]"));
      if (active) {
        event.preventDefault();
        comboboxChoose(input, active);
      } else if (input.getAttribute("data-combobox") !== "go") {
        event.preventDefault();
      }
    } else if (event.key === "Escape" && open) {
      // The first Escape closes the suggestions; the next closes a dialog around them.
      event.preventDefault();
      event.stopPropagation();
      comboboxClose(input);
    }
  });
  document.addEventListener("mousedown", function (event) {
    var option = event.target.closest && event.target.closest(".combobox-list [role=option]");
    var list = option && option.closest("[role=listbox]");
    var input = list && document.querySelector("[data-combobox][aria-controls='" + list.id + "']");
    if (input) {
      event.preventDefault();  // keep the focus in the box
      comboboxChoose(input, option);
    }
  });
  document.addEventListener("focusout", function (event) {
    var input = event.target.closest && event.target.closest("[data-combobox]");
    if (input) { comboboxClose(input); }
  });

  // A feed's live top-up arrives with its own day heading; the same day's heading below it
  // goes, so that the day's entries stay under one.
  document.addEventListener("htmx:afterSwap", function (event) {
    var list = event.detail.target;
    if (!list || list.id !== "feed-entries") { return; }
    var seen = {};
    list.querySelectorAll(".feed-day[data-day]").forEach(function (day) {
      var key = day.getAttribute("data-day");
      if (seen[key]) { day.remove(); } else { seen[key] = true; }
    });
    var empty = document.getElementById("feed-empty");
    if (empty && list.querySelector(".feed-entry")) { empty.remove(); }
  });

  // The quick switcher: Ctrl+K (⌘K on a Mac) or the "Jump to" box opens it.
  function openJump(event) {
    var dialog = document.getElementById("jump");
    if (!dialog || typeof dialog.showModal !== "function") { return; }
    if (event) { event.preventDefault(); }
    if (!dialog.open) { dialog.showModal(); }
    var input = dialog.querySelector("input");
    input.focus();
    input.select();
  }
  document.addEventListener("keydown", function (event) {
    if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === "k") {
      openJump(event);
    }
    // Escape closes the switcher once its suggestions are closed (the browser's own close
    // is not relied on: it may skip a dialog whose previous Escape closed a list instead).
    var dialog = document.getElementById("jump");
    if (event.key === "Escape" && dialog && dialog.open && !event.defaultPrevented) {
      event.preventDefault();
      dialog.close();
    }
  });
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-jump-open]")) {
      openJump(event);
    }
    var dialog = document.getElementById("jump");
    if (dialog && event.target === dialog) { dialog.close(); }  // a click on the backdrop
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
    // The bell looks again every minute; a failed look keeps the bell it has, quietly.
    if (event.detail.elt && event.detail.elt.id === "bell") { return; }
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
    if (event.detail.elt && event.detail.elt.id === "bell") { return; }
    if (panelFailed(event, "the server could not be reached")) { return; }
    var box = document.getElementById("messages");
    if (!box) { return; }
    var div = document.createElement("div");
    div.className = "message message-error";
    div.textContent = "The server could not be reached. Check your connection and try again.";
    box.appendChild(div);
  });
  // A "choose every row on this page" box ticks (or clears) the rows' boxes of that name.
  document.addEventListener("change", function (event) {
    var all = event.target.closest && event.target.closest("[data-check-all]");
    if (!all) { return; }
    var name = all.getAttribute("data-check-all");
    var table = all.closest("table") || document;
    table.querySelectorAll('input[type="checkbox"][name="' + name + '"]').forEach(function (box) {
      box.checked = all.checked;
    });
  });
  // On a phone the organisation's tabs scroll sideways: keep the current one in sight.
  var current = document.querySelector(".org-tabs [aria-current=page]");
  if (current && current.parentElement.scrollWidth > current.parentElement.clientWidth) {
    current.parentElement.scrollLeft = current.offsetLeft - 16;
  }
})();
