// The single-page app: draws the view for the current path, follows in-app links without a
// page load. Every route is the same index.html on the server (the fallback).
const routes = {
  "/": () => "<h1>Home</h1><p>Pick a page.</p>",
  "/settings": () => "<h1>Settings</h1><p>Nothing to set yet.</p>",
};

function userView(path) {
  const match = /^\/users\/(\d+)$/.exec(path);
  return match ? `<h1>User ${match[1]}</h1><p>A route the server does not know.</p>` : null;
}

function render() {
  const path = window.location.pathname;
  const view = routes[path] ? routes[path]() : userView(path);
  const nav = '<nav><a href="/">Home</a><a href="/settings">Settings</a>' +
              '<a href="/users/42">User 42</a></nav>';
  document.getElementById("app").innerHTML = nav + (view ?? "<h1>Not found</h1>");
}

document.addEventListener("click", (event) => {
  const link = event.target.closest("a");
  if (!link || link.origin !== window.location.origin) return;
  event.preventDefault();
  window.history.pushState(null, "", link.pathname);
  render();
});
window.addEventListener("popstate", render);
render();
