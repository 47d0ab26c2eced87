// CommonJS, callback style, with module state that survives while the environment is warm.
let invocations = 0;
const { shout } = require("./lib/shout");

exports.handler = (event, context, callback) => {
  invocations += 1;
  callback(null, { invocations, text: shout(event.text ?? "warm") });
};
