// npm dependencies, bundled at deploy: an id from uuid and a greeting rendered by mustache.
const { v4: uuidv4 } = require("uuid");
const Mustache = require("mustache");

exports.handler = async (event) => ({
  id: uuidv4(),
  text: Mustache.render("Hello {{name}}!", { name: event.name ?? "world" }),
});
