exports.shout = (text) => `${String(text).toUpperCase()}!`;
