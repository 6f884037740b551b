# SPDX-License-Identifier: BSD-3-Clause
# setkey SA half: every ESP/AH algorithm setkey knows and Linux implements carries traffic. The list
# below mirrors the algorithm registry (libxfrmpp/src/model/algorithm.cpp): each encryption
# algorithm (AEADs alone, the others with hmac-sha1; null with hmac-sha256) and each
# authentication algorithm (with aes-cbc in ESP, and in AH except null) gets its own address pair
# 10.99.K.1 <-> 10.99.K.2, an SA pair and host policies, all loaded by one setkey run per side.
# One ping per pair must be answered, and all four SAs of every pair must show exactly 1 packet /
# 64 bytes in `setkey -D` (equal to `ip -s xfrm state`) and the ICV length the algorithm calls for
# in the kernel (RFC 4868 lengths for sha2, 96 for md5/sha1/xcbc/cmac, 64/96/128 for the -8/-12/-16
# AEADs). Prints a table.
# vm-timeout: 120
setkey_setup
# key BITS SEED: a hex key of BITS bits
key() {
	printf '0x'
	_i=0
	while [ $_i -lt $(($1 / 8)) ]; do printf '%02x' $(((_i * 29 + $2) % 256)); _i=$((_i + 1)); done
}
k=0
: >pairs
# pair PROTO ICV 'ALGORITHMS': the next address pair, protected by PROTO with ALGORITHMS; ICV is the
# integrity check length in bits the kernel must use (AEAD icv_len or auth trunc_len)
pair() {
	k=$((k + 1))
	echo "$k $1 $2 $3" >>pairs
}
sha1="-A hmac-sha1 $(key 160 1)"
aes="-E aes-cbc $(key 128 2)"
pair esp 96 "-E des-cbc $(key 64 3) $sha1"
pair esp 96 "-E 3des-cbc $(key 192 4) $sha1"
pair esp 96 "-E blowfish-cbc $(key 128 5) $sha1"
pair esp 96 "-E blowfish-cbc $(key 448 6) $sha1"
pair esp 96 "-E cast128-cbc $(key 128 7) $sha1"
pair esp 96 "-E aes-cbc $(key 128 8) $sha1"
pair esp 96 "-E aes-cbc $(key 192 9) $sha1"
pair esp 96 "-E aes-cbc $(key 256 10) $sha1"
pair esp 96 "-E rijndael-cbc $(key 128 11) $sha1"
pair esp 96 "-E aes-ctr $(key 160 12) $sha1"
pair esp 96 "-E aes-ctr $(key 288 13) $sha1"
pair esp 96 "-E camellia-cbc $(key 128 14) $sha1"
pair esp 96 "-E camellia-cbc $(key 256 15) $sha1"
pair esp 96 "-E twofish-cbc $(key 256 16) $sha1"
pair esp 96 "-E serpent-cbc $(key 192 17) $sha1"
pair esp 128 "-E null -A hmac-sha256 $(key 256 18)"
pair esp 128 "-E aes-gcm-16 $(key 160 19)"
pair esp 96 "-E aes-gcm-12 $(key 224 20)"
pair esp 64 "-E aes-gcm-8 $(key 288 21)"
pair esp 128 "-E aes-ccm-16 $(key 152 22)"
pair esp 96 "-E aes-ccm-12 $(key 216 23)"
pair esp 64 "-E aes-ccm-8 $(key 280 24)"
pair esp 128 "-E aes-gmac $(key 160 25)"
pair esp 128 "-E chacha20-poly1305 $(key 288 26)"
pair esp 96 "$aes -A hmac-md5 $(key 128 27)"
pair esp 96 "$aes -A hmac-sha1 $(key 160 28)"
pair esp 128 "$aes -A hmac-sha256 $(key 256 29)"
pair esp 128 "$aes -A hmac-sha2-256 $(key 256 30)"
pair esp 192 "$aes -A hmac-sha384 $(key 384 31)"
pair esp 256 "$aes -A hmac-sha512 $(key 512 32)"
pair esp 96 "$aes -A aes-xcbc-mac $(key 128 33)"
pair esp 96 "$aes -A aes-cmac $(key 128 34)"
pair esp 0 "$aes -A null"
pair ah 96 "-A hmac-md5 $(key 128 35)"
pair ah 96 "-A hmac-sha1 $(key 160 36)"
pair ah 128 "-A hmac-sha256 $(key 256 37)"
pair ah 192 "-A hmac-sha384 $(key 384 38)"
pair ah 256 "-A hmac-sha512 $(key 512 39)"
pair ah 96 "-A aes-xcbc-mac $(key 128 40)"
pair ah 96 "-A aes-cmac $(key 128 41)"

: >a.conf
: >b.conf
: >a.ip
: >b.ip
while read -r n proto _icv algs; do
	a=10.99.$n.1 b=10.99.$n.2
	echo "addr add $a/24 dev veth_a" >>a.ip
	echo "addr add $b/24 dev veth_b" >>b.ip
	for f in a.conf b.conf; do
		echo "add $a $b $proto $((0x20000 + n)) -m transport $algs;" >>$f
		echo "add $b $a $proto $((0x30000 + n)) -m transport $algs;" >>$f
	done
	echo "spdadd $a $b any -P out ipsec $proto/transport//require;" >>a.conf
	echo "spdadd $b $a any -P in ipsec $proto/transport//require;" >>a.conf
	echo "spdadd $b $a any -P out ipsec $proto/transport//require;" >>b.conf
	echo "spdadd $a $b any -P in ipsec $proto/transport//require;" >>b.conf
done <pairs
ip -n "$NS_A" -batch a.ip
ip -n "$NS_B" -batch b.ip
sk_load "$NS_A" a.conf
sk_load "$NS_B" b.conf

# one ping per pair, all at once
ns_sh "$NS_A" "for n in \$(cut -d' ' -f1 pairs); do ping -c 1 -W 4 -w 5 10.99.\$n.2 >ping.\$n 2>&1 & done; wait" || true
for n in $(cut -d' ' -f1 pairs); do echo "$n $(grep -c 'bytes from' ping.$n || true)"; done >replies
sk_snap "$NS_A"
sk_snap "$NS_B"
# per SA of a snapshot: "NS SPI(hex) setkey-packets/bytes kernel-names" from NS.sad and
# "NS SPI ip-packets/bytes icv" from NS.ip
for ns in "$NS_A" "$NS_B"; do
	awk -v ns="$ns" '
		function put() { if (spi != "") print ns, spi, pk "/" by, (names == "" ? "-" : names) }
		/^[^\t]/ { put(); spi = ""; names = ""; next }
		$2 ~ /^mode=/ { split($3, s, /[()]/); spi = s[2] }
		$1 == "E:" || $1 == "A:" { names = names (names == "" ? "" : "+") $2 }
		$1 == "current:" && $2 ~ /\(bytes\)$/ { by = $2; sub(/\(bytes\)/, "", by) }
		$1 == "allocated:" { pk = $2 }
		END { put() }' "$ns.sad"
	awk -v ns="$ns" '
		function put() { if (spi != "") print ns, spi, "ip", pb, icv }
		/^src / { put(); spi = ""; icv = "-" }
		$1 == "proto" && $3 == "spi" { spi = $4; sub(/\(.*/, "", spi) }
		$1 == "aead" || $1 == "auth-trunc" { icv = $NF }
		lt { lt = 0; gsub(/[(),]/, " "); pb = $3 "/" $1 }
		/^\tlifetime current:/ { lt = 1 }
		END { put() }' "$ns.ip"
done >table
# report: one line per pair; a pair passes with its ping answered and, on all four SAs, exactly
# 1 packet / 64 bytes in setkey -D, the same in ip -s, and the expected ICV in the kernel
awk -v A="$NS_A" -v B="$NS_B" '
	FILENAME == "replies" { rep[$1] = $2; next }
	FILENAME == "table" && $3 == "ip" { ipc[$1 " " $2] = $4; icv[$1 " " $2] = $5; next }
	FILENAME == "table" { sk[$1 " " $2] = $3; kn[$1 " " $2] = $4; next }
	FNR == 1 { printf "%-3s %-5s %-36s %-30s %-4s %s\n", "K", "proto", "setkey algorithm (key bits)", "kernel (setkey -D)", "ICV", "ping; a->b, b->a SA in a, in b (setkey -D)" }
	{
		n = $1; proto = $2; want = $3; label = ""
		for (i = 4; i <= NF; i++) if ($i == "-E" || $i == "-A") {
			label = label (label == "" ? "" : " ") $(i + 1)
			if ($(i + 2) ~ /^0x/) label = label "(" (length($(i + 2)) - 2) * 4 ")"
		}
		ok = rep[n] == 1; counts = ""
		for (d = 0; d < 2; d++) for (j = 0; j < 2; j++) {
			key = (j ? B : A) " " sprintf("0x%08x", (d ? 196608 : 131072) + n)
			counts = counts " " sk[key]
			if (sk[key] != "1/64" || ipc[key] != "1/64" || icv[key] != want) ok = 0
		}
		k0 = A " " sprintf("0x%08x", 131072 + n)
		printf "%-3s %-5s %-36s %-30s %-4s %s;%s%s\n", n, proto, label, kn[k0], icv[k0], rep[n], counts, ok ? "" : "  <-- FAILED (ICV wanted " want ", ip -s " ipc[k0] ")"
		if (!ok) bad = bad " " label
		total++
	}
	END { print total " pairs"; if (bad != "") { print "FAILED:" bad; exit 1 } }' replies table pairs >report || {
	cat report
	fail "algorithm pairs with a missing reply, wrong counters or a wrong ICV: $(tail -n1 report | cut -d: -f2-)"
}
cat report
log "$k algorithm pairs carried traffic"
