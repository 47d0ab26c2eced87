// Renders an HTML page from a template that ships in the package, read once per environment.
const fs = require("fs");
const path = require("path");

const page = fs.readFileSync(path.join(__dirname, "templates", "page.html"), "utf8");

const escapeHtml = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

exports.handler = async (event) => ({
  statusCode: 200,
  headers: { "content-type": "text/html; charset=utf-8" },
  body: page.replace("{{name}}", escapeHtml(event.name ?? "world")),
});
