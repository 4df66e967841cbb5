/* Browser-side callbacks of Latitudes Impact (registered from Python with ClientsideFunction).
 * Kept here rather than inline so that a content security policy needs no hash for them. */
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  impact: {
    /* <html lang> and the document title follow the language of the view. Dash's page router
     * also sets the title when a page renders, so ours is applied after it. */
    setLanguage: function (data) {
      if (!data) {
        return window.dash_clientside.no_update;
      }
      var apply = function () {
        document.documentElement.lang = data.lang;
        if (data.title) {
          document.title = data.title;
        }
      };
      apply();
      window.setTimeout(apply, 60);
      return window.dash_clientside.no_update;
    },

    /* "Menu", "Filtres": open or close what the button folds (components/fold.py); the last
     * argument is the collapse's state, a change of page (the menu's second input) closes it. */
    fold: function () {
      var isOpen = arguments[arguments.length - 1];
      var ctx = window.dash_clientside.callback_context;
      var byPage = ctx && ctx.triggered && ctx.triggered.length &&
        ctx.triggered[0].prop_id.indexOf(".pathname") > 0;
      var open = byPage ? false : !isOpen;
      return [open, open ? "true" : "false"];
    },

    /* "Voir le tableau": open or close the table of a chart, and say so on the button. */
    /* The table is drawn in the browser the first time it opens, from the rows the server
     * sent already formatted (`table_toggle.table_data`): a long table costs the server no
     * component per cell, and the page no markup until somebody asks for it. */
    toggleTable: function (clicks, labels) {
      var open = (clicks || 0) % 2 === 1;
      labels = labels || {show: "", hide: ""};
      var panel = window.dash_clientside.no_update;
      if (open && labels.table) {
        panel = window.dash_clientside.impact.tableComponent(labels.table, labels.panel);
      }
      return [open, open ? labels.hide : labels.show, open ? "true" : "false", panel];
    },

    tableComponent: function (table, panelId) {
      var el = function (type, props) {
        return {type: type, namespace: "dash_html_components", props: props};
      };
      var align = function (i) { return table.numeric[i] ? "text-end" : null; };
      var head = el("Thead", {children: el("Tr", {children: table.columns.map(function (c, i) {
        return el("Th", {children: c, scope: "col", className: align(i)});
      })})});
      var body = el("Tbody", {children: table.rows.map(function (row) {
        return el("Tr", {children: row.map(function (v, i) {
          return el("Td", {children: v, className: align(i)});
        })});
      })});
      var children = [head, body];
      if (table.caption) {
        children.unshift(el("Caption", {children: table.caption}));
      }
      /* A region of its own: a wide table scrolls inside its card, from the keyboard too. */
      return el("Div", {id: panelId, className: "table-responsive chart-table", tabIndex: "0",
                        role: "region", "aria-label": table.caption || null,
                        children: el("Table", {className: "table table-sm data-table",
                                               children: children})});
    },

    /* PNG or SVG of a chart, drawn by plotly.js in the browser (no server round trip). */
    downloadImage: function () {
      var ctx = window.dash_clientside.callback_context;
      var triggered = ctx && ctx.triggered && ctx.triggered[0];
      if (!triggered || !triggered.value) {
        return window.dash_clientside.no_update;
      }
      var id = JSON.parse(triggered.prop_id.slice(0, triggered.prop_id.lastIndexOf(".")));
      var container = document.getElementById(id.index);
      var plot = container && container.querySelector(".js-plotly-plot");
      if (!plot || !window.Plotly) {
        return window.dash_clientside.no_update;
      }
      window.Plotly.downloadImage(plot, {
        format: id.format, filename: id.index, scale: id.format === "png" ? 2 : 1,
        width: plot.offsetWidth, height: plot.offsetHeight
      });
      return id.format + ":" + triggered.value;
    }
  }
});

/* Dash 4's dcc.Dropdown puts an invisible, aria-hidden input in the tab order before its
 * button (which has the label), only to pass the focus on: a screen reader's user lands on a
 * hidden control (axe: aria-hidden-focus, serious). The button itself takes the Tab instead:
 * the input leaves the tab order, each time Dash puts it back (on the button's blur). */
(function () {
  var TARGET = ".dash-dropdown-focus-target";
  var fix = function (input) {
    if (input.tabIndex !== -1) {
      input.tabIndex = -1;
    }
    var button = input.nextElementSibling;
    if (button && button.matches("button.dash-dropdown") && !button.disabled &&
        button.tabIndex !== 0) {
      button.tabIndex = 0;
    }
  };
  var fixAll = function (root) {
    if (root.matches && root.matches(TARGET)) {
      fix(root);
    } else if (root.matches && root.matches("button.dash-dropdown") &&
               root.previousElementSibling) {
      fix(root.previousElementSibling);
      return;
    }
    if (root.querySelectorAll) {
      root.querySelectorAll(TARGET).forEach(fix);
    }
  };
  var start = function () {
    fixAll(document);
    new MutationObserver(function (changes) {
      changes.forEach(function (change) {
        if (change.type === "attributes") {
          fixAll(change.target);
        } else {
          change.addedNodes.forEach(fixAll);
        }
      });
    }).observe(document.body, {childList: true, subtree: true, attributes: true,
                               attributeFilter: ["tabindex", "disabled"]});
  };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

/* A callback that draws a block again (a map's measure buttons, a breakdown's tabs) removes
 * the button that had the focus: the browser drops the focus to the top of the page, and a
 * keyboard user starts over. When the focused element leaves the page, the focus goes to its
 * new copy (the same id) as soon as Dash has drawn it. */
(function () {
  var PAGE = "#_pages_content";  /* the page's own blocks, not the shell's menus and lists */
  var WAIT = 10000;  /* ms: a redraw later than that is not the answer to this button */
  var lost = null;
  var lostAt = 0;
  document.addEventListener("focusout", function (event) {
    var target = event.target;
    lost = !event.relatedTarget && target.id && target.closest && target.closest(PAGE) ?
      target : null;
    lostAt = Date.now();
  });
  var restore = function () {
    if (!lost || lost.isConnected) {
      return;  /* nothing lost, or the focus left it for the page's background (a click) */
    }
    var active = document.activeElement;
    var copy = document.getElementById(lost.id);
    if (Date.now() - lostAt > WAIT || (active && active !== document.body)) {
      lost = null;
    } else if (copy && copy.closest(PAGE)) {
      lost = null;
      copy.focus({preventScroll: true});
    }
  };
  var start = function () {
    new MutationObserver(restore).observe(document.body, {childList: true, subtree: true});
  };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
