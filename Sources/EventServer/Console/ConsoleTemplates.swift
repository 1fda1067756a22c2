/// The console's pages as Mustache templates (`{{x}}` is HTML-escaped), compiled into the binary:
/// no files to install, no CDN, nothing fetched. One layout (`page`) holds the navigation; each page
/// fills its `content` partial. Every control has a label; the layout reads at 375 px.
enum ConsoleTemplates {
    static let all: [String: String] = [
        "page": page, "login": login, "overview": overview, "pushes": pushes, "monitors": monitors, "devices": devices, "users": users, "credentials": credentials,
    ]

    static let page = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}} · zmes</title>
        <style>\(ConsoleStyle.css)</style>
        </head>
        <body{{#live}} data-live="{{live}}"{{/live}}>
        {{#operator}}
        <header>
        <nav aria-label="Console">
        <a href="/"{{#overviewPage}} aria-current="page"{{/overviewPage}}>Overview</a>
        <a href="/pushes"{{#pushesPage}} aria-current="page"{{/pushesPage}}>Pushes</a>
        <a href="/devices"{{#devicesPage}} aria-current="page"{{/devicesPage}}>Devices</a>
        <a href="/monitors"{{#monitorsPage}} aria-current="page"{{/monitorsPage}}>Monitors</a>
        <a href="/users"{{#usersPage}} aria-current="page"{{/usersPage}}>Users</a>
        <a href="/credentials"{{#credentialsPage}} aria-current="page"{{/credentialsPage}}>Credentials</a>
        </nav>
        <form method="post" action="/logout">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <button type="submit">Log out {{operator}}</button>
        </form>
        </header>
        {{/operator}}
        <main>
        <h1>{{title}}</h1>
        {{#message}}<p class="message" role="status">{{message}}</p>{{/message}}
        {{$content}}{{/content}}
        </main>
        {{#live}}<script src="/console.js"></script>{{/live}}
        </body>
        </html>
        """

    static let login = """
        {{<page}}{{$content}}
        <form method="post" action="/login" class="login">
        <label for="user">User</label>
        <input id="user" name="user" autocomplete="username" autofocus>
        <label for="password">Password</label>
        <input id="password" name="password" type="password" autocomplete="current-password">
        <p class="hint">An operator: a local user made with <code>zmes user add NAME --admin</code>. Or leave User empty and give <code>admin.token</code> as the password.</p>
        <button type="submit">Log in</button>
        </form>
        {{/content}}{{/page}}
        """

    static let overview = """
        {{<page}}{{$content}}
        <section aria-labelledby="now">
        <h2 id="now">Now</h2>
        <dl class="counts">
        <div><dt>Websocket sessions</dt><dd id="sessions">{{sessions}}</dd></div>
        <div><dt>Logged in</dt><dd id="logged-in">{{loggedIn}}</dd></div>
        <div><dt>Devices</dt><dd id="devices">{{devices}}</dd></div>
        {{#deviceKinds}}<div><dt>Devices {{kind}}</dt><dd>{{count}}</dd></div>{{/deviceKinds}}
        {{#outbox}}<div><dt>Pushes {{state}}</dt><dd id="outbox-{{state}}">{{count}}</dd></div>{{/outbox}}
        </dl>
        </section>
        <section aria-labelledby="alarms">
        <h2 id="alarms">Last alarms pushed</h2>
        <table>
        <thead><tr><th scope="col">Time</th><th scope="col">Monitor</th><th scope="col">Event</th><th scope="col">Cause</th></tr></thead>
        <tbody>
        {{#lastAlarms}}<tr><td>{{time}}</td><td>{{monitor}} {{name}}</td><td>{{event}}</td><td>{{cause}}</td></tr>{{/lastAlarms}}
        {{^lastAlarms}}<tr><td colspan="4">None yet.</td></tr>{{/lastAlarms}}
        </tbody>
        </table>
        </section>
        <section aria-labelledby="flow">
        <h2 id="flow">Pushes per minute</h2>
        <p class="legend"><span class="delivered">delivered</span> <span class="failed">failed</span></p>
        <h3>Last hour</h3>
        {{{hourChart}}}
        <h3>Last day</h3>
        {{{dayChart}}}
        </section>
        <section aria-labelledby="credentials">
        <h2 id="credentials">Credentials</h2>
        <table>
        <thead><tr><th scope="col">Name</th><th scope="col">Provider</th><th scope="col">Health</th></tr></thead>
        <tbody>
        {{#credentials}}<tr><td>{{name}}</td><td>{{provider}}</td><td>{{health}}</td></tr>{{/credentials}}
        {{^credentials}}<tr><td colspan="3">None: add one with <code>zmes credentials add</code>.</td></tr>{{/credentials}}
        </tbody>
        </table>
        </section>
        {{/content}}{{/page}}
        """

    static let pushes = """
        {{<page}}{{$content}}
        <form method="get" action="/pushes" class="filter">
        <label for="state">State</label>
        <select id="state" name="state">
        {{#states}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/states}}
        </select>
        <label for="provider">Provider</label>
        <select id="provider" name="provider">
        {{#providers}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/providers}}
        </select>
        <label for="device">Device token prefix</label>
        <input id="device" name="device" value="{{device}}">
        <label for="since">Created</label>
        <select id="since" name="since">
        {{#windows}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/windows}}
        </select>
        <button type="submit">Show</button>
        </form>
        <form method="post" action="/pushes/replay-failed" class="filter">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <label for="replay-since">Failed pushes created</label>
        <select id="replay-since" name="since">
        {{#windows}}<option value="{{value}}">{{label}}</option>{{/windows}}
        </select>
        <button type="submit">Replay all failed</button>
        </form>
        <form method="post" action="/pushes/replay-selected" id="replay-selection"><input type="hidden" name="csrf" value="{{csrf}}"></form>
        <table>
        <thead><tr><th scope="col"><span class="visually-hidden">Choose</span></th><th scope="col">Id</th><th scope="col">State</th>
        <th scope="col">Provider</th><th scope="col">Device</th><th scope="col">Event</th><th scope="col">Created</th><th scope="col">Reason</th>
        {{#shared}}<th scope="col">Held by</th>{{/shared}}<th scope="col"><span class="visually-hidden">Action</span></th></tr></thead>
        <tbody>
        {{#jobs}}<tr id="push-{{id}}">
        <td>{{#failed}}<input type="checkbox" id="choose-{{id}}" name="push-{{id}}" form="replay-selection"><label for="choose-{{id}}" class="visually-hidden">Choose push {{id}}</label>{{/failed}}</td>
        <td>{{id}}</td><td class="state">{{state}}</td><td>{{provider}}</td><td>{{device}}</td>
        <td>{{event}}</td><td>{{created}}</td><td class="reason">{{reason}}</td>
        {{#shared}}<td class="held-by">{{heldBy}}</td>{{/shared}}<td>{{#failed}}<form method="post" action="/pushes/{{id}}/replay"><input type="hidden" name="csrf" value="{{csrf}}">
        <button type="submit">Replay push {{id}}</button></form>{{/failed}}</td></tr>{{/jobs}}
        {{^jobs}}<tr><td colspan="10">No pushes.</td></tr>{{/jobs}}
        </tbody>
        </table>
        {{#anyFailed}}<p><button type="submit" form="replay-selection">Replay the chosen pushes</button></p>{{/anyFailed}}
        {{/content}}{{/page}}
        """
}

extension ConsoleTemplates {
    static let devices = """
        {{<page}}{{$content}}
        <form method="get" action="/devices" class="filter">
        <label for="q">Token prefix or user</label>
        <input id="q" name="q" value="{{query}}">
        <label for="platform">Platform</label>
        <select id="platform" name="platform">
        {{#platforms}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/platforms}}
        </select>
        <button type="submit">Find</button>
        </form>
        <table>
        <thead><tr><th scope="col">Token</th><th scope="col">User</th><th scope="col">Platform</th><th scope="col">Pushes</th>
        <th scope="col">Badge</th><th scope="col">Monitors</th><th scope="col">Intervals</th><th scope="col">Last push</th>
        <th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
        <tbody>
        {{#devices}}<tr><td>{{shortToken}}</td><td>{{user}}</td><td>{{platform}}</td><td class="state">{{state}}</td><td>{{badge}}</td>
        <td>{{monitors}}</td><td>{{intervals}}</td><td>{{lastPush}}</td>
        <td>{{#enabled}}<form method="post" action="/devices/disable"><input type="hidden" name="csrf" value="{{csrf}}">
        <input type="hidden" name="token" value="{{token}}"><button type="submit">Disable {{shortToken}}</button></form>{{/enabled}}
        <form method="post" action="/devices/remove"><input type="hidden" name="csrf" value="{{csrf}}">
        <input type="hidden" name="token" value="{{token}}"><button type="submit">Remove {{shortToken}}</button></form></td></tr>{{/devices}}
        {{^devices}}<tr><td colspan="9">No devices match.</td></tr>{{/devices}}
        </tbody>
        </table>
        {{/content}}{{/page}}
        """

    static let users = """
        {{<page}}{{$content}}
        <p>Local users; add or change one with <code>zmes user add NAME [--admin] --password-stdin</code>.</p>
        <table>
        <thead><tr><th scope="col">Name</th><th scope="col">Monitors</th><th scope="col">Operator</th><th scope="col">Created</th>
        <th scope="col"><span class="visually-hidden">Action</span></th></tr></thead>
        <tbody>
        {{#users}}<tr id="user-{{name}}"><td>{{name}}</td><td>{{monitors}}</td><td>{{admin}}</td><td>{{created}}</td>
        <td><form method="post" action="/users/remove"><input type="hidden" name="csrf" value="{{csrf}}">
        <input type="hidden" name="name" value="{{name}}"><button type="submit">Remove user {{name}}</button></form></td></tr>{{/users}}
        {{^users}}<tr><td colspan="5">No local users.</td></tr>{{/users}}
        </tbody>
        </table>
        {{/content}}{{/page}}
        """

    static let credentials = """
        {{<page}}{{$content}}
        <form method="post" action="/credentials/upload" enctype="multipart/form-data" class="upload">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <label for="credentials-file">Credentials file</label>
        <input type="file" id="credentials-file" name="credentials" accept=".yml,.yaml,.txt" required>
        <label for="key-files">Key files</label>
        <input type="file" id="key-files" name="keys" multiple aria-describedby="upload-help">
        <button type="submit">Upload credentials</button>
        <p id="upload-help">The file in the format of <code>Credentials.example</code>, with the <code>.p8</code> keys and
        service-account <code>.json</code> files it names. It is checked as <code>zmes credentials add --file FILE</code>
        checks it and refused whole on any error; an entry with a name already registered replaces it.</p>
        </form>
        <table>
        <thead><tr><th scope="col">Name</th><th scope="col">Provider</th><th scope="col">Key</th><th scope="col">Health</th>
        <th scope="col"><span class="visually-hidden">Action</span></th></tr></thead>
        <tbody>
        {{#credentials}}<tr id="credential-{{name}}"><td>{{name}}</td><td>{{provider}}</td><td>{{summary}}</td><td class="health">{{health}}</td>
        <td><form method="post" action="/credentials/probe"><input type="hidden" name="csrf" value="{{csrf}}">
        <input type="hidden" name="name" value="{{name}}"><button type="submit">Probe {{name}}</button></form></td></tr>{{/credentials}}
        {{^credentials}}<tr><td colspan="5">No credentials.</td></tr>{{/credentials}}
        </tbody>
        </table>
        {{/content}}{{/page}}
        """

    static let monitors = """
        {{<page}}{{$content}}
        <form method="post" action="/monitors/mute" class="filter">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <label for="monitor">Monitor</label>
        <select id="monitor" name="monitor">
        {{#monitors}}<option value="{{id}}">{{id}} {{name}}</option>{{/monitors}}
        </select>
        <label for="minutes">Mute for</label>
        <select id="minutes" name="minutes">
        <option value="30">30 minutes</option><option value="60">1 hour</option><option value="120" selected>2 hours</option>
        <option value="480">8 hours</option><option value="1440">1 day</option>
        </select>
        <button type="submit">Mute</button>
        </form>
        <table>
        <thead><tr><th scope="col">Monitor</th><th scope="col">Name</th><th scope="col">Muted until</th>
        <th scope="col"><span class="visually-hidden">Action</span></th></tr></thead>
        <tbody>
        {{#monitors}}<tr id="monitor-{{id}}"><td>{{id}}</td><td>{{name}}
        {{#events}}<figure><img src="{{picture}}" alt="Event {{eventId}}: {{cause}}" width="160" loading="lazy"><figcaption>{{eventId}} {{time}}</figcaption></figure>{{/events}}</td>
        <td class="muted">{{mutedUntil}}</td>
        <td>{{#muted}}<form method="post" action="/monitors/{{id}}/unmute"><input type="hidden" name="csrf" value="{{csrf}}">
        <button type="submit">Unmute monitor {{id}}</button></form>{{/muted}}</td></tr>{{/monitors}}
        {{^monitors}}<tr><td colspan="4">No monitors known: list them in <code>zoneminder.monitors</code>.</td></tr>{{/monitors}}
        </tbody>
        </table>
        {{/content}}{{/page}}
        """
}

/// The console's stylesheet: system fonts, readable at phone width, visible focus for keyboards.
enum ConsoleStyle {
    static let css = """
        body{font-family:system-ui,sans-serif;margin:0;color:#1b1b1b;background:#fafafa}
        header{display:flex;flex-wrap:wrap;gap:.5rem;justify-content:space-between;align-items:center;padding:.5rem 1rem;background:#20303f}
        header a,header button{color:#fff;background:none;border:1px solid transparent;font:inherit;padding:.4rem .6rem;text-decoration:none}
        header nav{display:flex;flex-wrap:wrap;gap:.25rem}
        header a[aria-current]{border-color:#fff;border-radius:4px}
        main{padding:1rem;max-width:70rem}
        h1{font-size:1.4rem}
        :focus-visible{outline:3px solid #f0a000;outline-offset:2px}
        table{border-collapse:collapse;width:100%;display:block;overflow-x:auto;position:relative}
        th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #ddd;vertical-align:top}
        .counts{display:grid;grid-template-columns:repeat(auto-fill,minmax(9rem,1fr));gap:.5rem}.counts div{background:#fff;border:1px solid #ddd;padding:.4rem .6rem}
        .counts dt{font-size:.85rem;color:#555}.counts dd{margin:0 0 .5rem;font-size:1.5rem}
        form.login,form.upload{display:grid;gap:.4rem;max-width:28rem}
        form.upload{margin-bottom:1rem;padding:.6rem;background:#fff;border:1px solid #ddd}form.upload p{margin:0;font-size:.85rem;color:#555}
        input,select,button{font:inherit;padding:.4rem;max-width:100%;box-sizing:border-box}
        form.filter{display:flex;flex-wrap:wrap;gap:.3rem .5rem;align-items:center;margin-bottom:.5rem}
        .message{background:#fff3cd;padding:.5rem}
        .chart{width:100%;max-width:40rem;height:auto;background:#fff;border:1px solid #ddd}
        .legend .delivered{color:#1a7f37}.legend .failed{color:#cf222e}
        figure{display:inline-block;margin:.3rem .3rem 0 0}figcaption{font-size:.75rem;color:#555}
        .visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
        """
}
