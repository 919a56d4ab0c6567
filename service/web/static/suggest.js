/* Suggestions as you type for inputs marked data-suggest="place|sector" (ARIA 1.2 combobox).
   Without this script the inputs are plain text fields that the server resolves by name. */
(function () {
  "use strict";
  var lang = document.documentElement.lang || "de";
  function setup(input) {
    var kind = input.getAttribute("data-suggest");
    var list = document.createElement("ul");
    var listId = input.id + "-suggestions";
    var active = -1, items = [], timer = null, seq = 0;
    list.id = listId;
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", input.labels && input.labels[0] ? input.labels[0].textContent : kind);
    list.hidden = true;
    input.parentNode.insertBefore(list, input.nextSibling);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);

    function close() {
      list.hidden = true; list.innerHTML = ""; items = []; active = -1;
      input.setAttribute("aria-expanded", "false"); input.removeAttribute("aria-activedescendant");
    }
    function choose(i) {
      if (i < 0 || i >= items.length) return;
      input.value = items[i].value;
      close();
    }
    function highlight(i) {
      var opts = list.querySelectorAll("[role=option]");
      opts.forEach(function (o, n) { o.setAttribute("aria-selected", n === i ? "true" : "false"); });
      active = i;
      if (i >= 0) { input.setAttribute("aria-activedescendant", opts[i].id); opts[i].scrollIntoView({block: "nearest"}); }
      else input.removeAttribute("aria-activedescendant");
    }
    function show(data) {
      items = data.items || [];
      list.innerHTML = "";
      if (!items.length) { close(); return; }
      items.forEach(function (it, n) {
        var li = document.createElement("li");
        li.id = listId + "-" + n;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.textContent = it.value;
        li.addEventListener("mousedown", function (e) { e.preventDefault(); choose(n); });
        list.appendChild(li);
      });
      list.hidden = false; active = -1;
      input.setAttribute("aria-expanded", "true");
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var q = input.value.trim();
      if (!q) { close(); return; }
      timer = setTimeout(function () {
        var mine = ++seq;
        fetch("/web/suggest?kind=" + encodeURIComponent(kind) + "&lang=" + lang + "&q=" + encodeURIComponent(q),
              {headers: {"Accept": "application/json"}})
          .then(function (r) { return r.ok ? r.json() : {items: []}; })
          .then(function (d) { if (mine === seq) show(d); })
          .catch(function () { close(); });
      }, 120);
    });
    input.addEventListener("keydown", function (e) {
      if (list.hidden) return;
      if (e.key === "ArrowDown") { e.preventDefault(); highlight(Math.min(active + 1, items.length - 1)); }
      else if (e.key === "ArrowUp") { e.preventDefault(); highlight(Math.max(active - 1, 0)); }
      else if (e.key === "Enter" && active >= 0) { e.preventDefault(); choose(active); }
      else if (e.key === "Escape") { close(); }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
  }
  document.querySelectorAll("input[data-suggest]").forEach(setup);
})();
