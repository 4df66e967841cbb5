/* When the session has ended (signed out in another tab, expired, account disabled), Dash's
 * requests get 401: go to the sign-in page, which brings the user back to this view, instead
 * of leaving a page whose filters silently do nothing. (dashboard/auth/gate.py answers 401 to
 * Dash's routes without a session.) */
(function () {
  var fetch = window.fetch;
  if (!fetch || window.impactSessionWatch) {
    return;
  }
  window.impactSessionWatch = true;
  window.fetch = function (resource, init) {
    return fetch.apply(this, arguments).then(function (response) {
      var url = typeof resource === "string" ? resource : (resource && resource.url) || "";
      if (response.status === 401 && url.indexOf("/_dash-") !== -1) {
        var here = window.location.pathname + window.location.search;
        window.location.assign("/login?next=" + encodeURIComponent(here));
        return new Promise(function () {});  /* the page is leaving: Dash need not see it */
      }
      return response;
    });
  };
})();
