module.exports = require('../scripts/node-app.webpack')('dist/tools/train-digits');
