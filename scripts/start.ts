// Placeholder until the server lands: says plainly what `npm start` will run.
process.stdout.write(
  [
    'Partnerbridge — npm start',
    '',
    'When the server lands, this command will run sandbox mode on a fresh machine:',
    '  - the HubSpot and Salesforce sandboxes, seeded with a demo partner program;',
    '  - an embedded PGlite database under .data/;',
    '  - a private redis-server on a free port (installed from Debian packages when missing);',
    '  - the API server and the sync workers, then print their URLs.',
    '',
  ].join('\n'),
);
