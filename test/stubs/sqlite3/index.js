// Loading this means something in the tests reached fox-wamp's sqlite storage, which the
// repository does not install (package.json overrides sqlite3 with this stub): fail loudly.
throw new Error('sqlite3 is not installed in this repository (a stub from test/stubs/sqlite3 stands in for it under fox-wamp): fox-wamp storage is not part of the tests');
