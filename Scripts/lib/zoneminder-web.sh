# Sourced by zoneminder-e2e.sh: ZoneMinder's web interface and API (what serves event pictures),
# under nginx and php-fpm started on a loopback port, as Debian's example nginx.conf sets them up.
# Both are stopped by PID (ZM_WEB_PIDS); nothing is installed as a service.
ZM_WEB_PIDS=()

# start_zoneminder_web DIR PORT: starts php-fpm and nginx with their files in DIR.
start_zoneminder_web() {
    local dir=$1 port=$2 php_fpm
    php_fpm=$(compgen -c php-fpm | sort -V | tail -n 1)
    [[ -n $php_fpm ]] || { echo "no php-fpm binary (apt-get install php-fpm)" >&2; return 1; }
    install -d -m 755 "$dir" "$dir/nginx"
    cat >"$dir/php-fpm.conf" <<CONF
[global]
pid = $dir/php-fpm.pid
error_log = $dir/php-fpm.log
daemonize = no
[zoneminder]
user = www-data
group = www-data
listen = $dir/php-fpm.sock
listen.mode = 0666
pm = static
pm.max_children = 4
catch_workers_output = yes
CONF
    cat >"$dir/nginx.conf" <<CONF
daemon off;
worker_processes 1;
user www-data;
pid $dir/nginx.pid;
error_log $dir/nginx-error.log;
events {}
http {
    include /etc/nginx/mime.types;
    access_log $dir/nginx-access.log;
    client_body_temp_path $dir/nginx/body;
    fastcgi_temp_path $dir/nginx/fastcgi;
    proxy_temp_path $dir/nginx/proxy;
    uwsgi_temp_path $dir/nginx/uwsgi;
    scgi_temp_path $dir/nginx/scgi;
    server {
        listen 127.0.0.1:$port;
        location /zm {
            alias /usr/share/zoneminder/www;
            index index.php;
            location ~ \.php\$ {
                if (!-f \$request_filename) { return 404; }
                include /etc/nginx/fastcgi_params;
                fastcgi_param SCRIPT_FILENAME \$request_filename;
                fastcgi_pass unix:$dir/php-fpm.sock;
            }
            location /zm/api/ {
                rewrite ^/zm/api(.+)\$ /zm/api/index.php?p=\$1 last;
            }
        }
    }
}
CONF
    "$php_fpm" -F -y "$dir/php-fpm.conf" >"$dir/php-fpm.out" 2>&1 &
    ZM_WEB_PIDS+=($!)
    nginx -c "$dir/nginx.conf" -p "$dir/nginx" >"$dir/nginx.out" 2>&1 &
    ZM_WEB_PIDS+=($!)
}

stop_zoneminder_web() {
    local pid
    for pid in "${ZM_WEB_PIDS[@]}"; do stop_pid "$pid" 10; done
    ZM_WEB_PIDS=()
}
