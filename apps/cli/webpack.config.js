module.exports = require('../../tools/scripts/node-app.webpack')('dist/apps/cli');
