#!/usr/bin/env node
// dsrhost-plugin-node-crm: a dsrhost connector plugin written in Node.js.
'use strict';

require('./plugin').serve(require('./connector'));
