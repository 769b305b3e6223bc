#!/usr/bin/env bash
# A real S3 server for the integration tests: Ceph RGW (radosgw) on a throwaway one-node Ceph
# cluster — one monitor, one OSD keeping objects in RAM (memstore), radosgw with the beast
# frontend — all on 127.0.0.1, no systemd. Clients must sign with SigV4; the daemons talk to each
# other without auth. Packages: radosgw ceph-mon ceph-osd (scripts/install_deps.sh test).
#
#   radosgw.sh start DIR   writes DIR/s3.env (S3_ENDPOINT, S3_ACCESS_KEY, S3_SECRET_KEY,
#                          S3_REGION, S3_BUCKET) once the server answers; ~15-25 s
#   radosgw.sh stop DIR    stops the three daemons (and is safe to call twice)
#
# Env (optional): S3_ACCESS_KEY S3_SECRET_KEY S3_BUCKET RGW_PORT.
set -euo pipefail

command=${1:?usage: radosgw.sh start|stop DIR}
dir=$(mkdir -p "${2:?usage: radosgw.sh start|stop DIR}" && cd "$2" && pwd)
conf=$dir/ceph/ceph.conf

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

stop_pidfile() {
  local file=$1 pid i=0
  [ -f "$file" ] || return 0
  pid=$(cat "$file")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$file"
}

stop_all() {
  stop_pidfile "$dir/rgw.pid"
  stop_pidfile "$dir/osd.pid"
  stop_pidfile "$dir/mon.pid"
}

case $command in
start)
  for tool in radosgw ceph-mon ceph-osd ceph radosgw-admin monmaptool ceph-authtool curl; do
    command -v "$tool" > /dev/null || {
      echo "radosgw.sh: '$tool' is missing: run scripts/install_deps.sh test" >&2
      exit 1
    }
  done
  stop_all
  started=$(date +%s%3N)
  rm -rf "$dir/ceph" "$dir/s3.env"
  mkdir -p "$dir/ceph"/{run,log,mon.a,osd.0,rgw}
  fsid=$(cat /proc/sys/kernel/random/uuid)
  mon_port=$(free_port)
  rgw_port=${RGW_PORT:-$(free_port)}
  cat > "$conf" << EOT
[global]
fsid = $fsid
mon host = [v2:127.0.0.1:$mon_port]
mon initial members = a
public addr = 127.0.0.1
cluster addr = 127.0.0.1
ms bind msgr1 = false
ms bind ipv6 = false
auth cluster required = none
auth service required = none
auth client required = none
# Without these radosgw insists on a 'secure' monitor connection, which auth none cannot give.
ms mon client mode = crc
ms client mode = crc
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon max pg per osd = 1000
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
# The monitor otherwise shuts down when the disk is nearly full.
mon data avail warn = 1
mon data avail crit = 0
osd crush chooseleaf type = 0
run dir = $dir/ceph/run
admin socket = $dir/ceph/run/\$name.asok
log file = $dir/ceph/log/\$name.log
keyring = $dir/ceph/keyring
[mon.a]
mon data = $dir/ceph/mon.a
[osd.0]
osd data = $dir/ceph/osd.0
osd objectstore = memstore
memstore device bytes = 1073741824
[client.rgw.a]
# Without tcp_nodelay every answer on a reused connection waits ~40 ms for a delayed ACK.
rgw frontends = beast endpoint=127.0.0.1:$rgw_port tcp_nodelay=1
rgw data = $dir/ceph/rgw
# Virtual-hosted URLs: http://<bucket>.localhost:<port>/<key> (curl resolves *.localhost itself).
rgw dns name = localhost
EOT
  trap 'echo "radosgw.sh: start failed; logs in $dir/ceph/log" >&2; stop_all' ERR
  ceph-authtool --create-keyring "$dir/ceph/keyring" --gen-key -n mon. --cap mon 'allow *' > /dev/null
  monmaptool --create --addv a "[v2:127.0.0.1:$mon_port]" --fsid "$fsid" "$dir/ceph/monmap" > /dev/null
  ceph-mon -c "$conf" --mkfs -i a --monmap "$dir/ceph/monmap"
  nohup ceph-mon -c "$conf" -i a -f > "$dir/ceph/log/mon.out" 2>&1 &
  echo $! > "$dir/mon.pid"
  for _ in $(seq 300); do (exec 3<> "/dev/tcp/127.0.0.1/$mon_port") 2> /dev/null && break; sleep 0.1; done
  osd_uuid=$(cat /proc/sys/kernel/random/uuid)
  osd_id=$(timeout 60 ceph -c "$conf" osd new "$osd_uuid")
  ceph-osd -c "$conf" -i "$osd_id" --mkfs --osd-uuid "$osd_uuid" > "$dir/ceph/log/osd-mkfs.out" 2>&1
  nohup ceph-osd -c "$conf" -i "$osd_id" -f > "$dir/ceph/log/osd.out" 2>&1 &
  echo $! > "$dir/osd.pid"
  for _ in $(seq 120); do
    timeout 10 ceph -c "$conf" osd stat 2> /dev/null | grep -q '1 up' && break
    sleep 0.5
  done
  nohup radosgw -c "$conf" -n client.rgw.a -f > "$dir/ceph/log/rgw.out" 2>&1 &
  echo $! > "$dir/rgw.pid"
  for _ in $(seq 360); do curl -s -o /dev/null "http://127.0.0.1:$rgw_port/" && break; sleep 0.25; done
  curl -s -o /dev/null "http://127.0.0.1:$rgw_port/"
  access_key=${S3_ACCESS_KEY:-sluicetest}
  secret_key=${S3_SECRET_KEY:-sluice-test-secret-key}
  bucket=${S3_BUCKET:-sluice-test}
  timeout 60 radosgw-admin -c "$conf" user create --uid=sluice --display-name=sluice \
    --access-key="$access_key" --secret="$secret_key" > /dev/null
  empty_sha=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
  status=$(curl -s -o /dev/null -w '%{http_code}' -X PUT --aws-sigv4 aws:amz:us-east-1:s3 \
    --user "$access_key:$secret_key" -H "x-amz-content-sha256: $empty_sha" \
    "http://127.0.0.1:$rgw_port/$bucket")
  [ "$status" = 200 ] || { echo "radosgw.sh: creating bucket $bucket answered $status" >&2; false; }
  trap - ERR
  cat > "$dir/s3.env" << EOT
S3_ENDPOINT=http://127.0.0.1:$rgw_port
S3_ACCESS_KEY=$access_key
S3_SECRET_KEY=$secret_key
S3_REGION=us-east-1
S3_BUCKET=$bucket
EOT
  echo "radosgw ready at http://127.0.0.1:$rgw_port in $(($(date +%s%3N) - started)) ms"
  ;;
stop)
  stop_all
  echo "radosgw stopped"
  ;;
*)
  echo "usage: radosgw.sh start|stop DIR" >&2
  exit 2
  ;;
esac
