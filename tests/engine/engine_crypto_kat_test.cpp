// SPDX-License-Identifier: BSD-3-Clause
// Known-answer tests for whole ESP packets: RFC 3602 4 (AES-CBC), draft-mcgrew-gcm-test-01 (AES-GCM,
// 32- and 64-bit sequence numbers, 128/192/256-bit keys), RFC 7634 A (ChaCha20-Poly1305), and the
// RFC 3686 6 AES-CTR cipher vectors put in ESP frames.
#include <doctest/doctest.h>

#include <algorithm>

#include "crypto_support.hpp"

namespace xfrmpp::test {
namespace {

struct EspVector {
  const char* name;
  model::SaConfig sa;
  uint32_t seq_hi;
  bool esn;
  Bytes body;    // payload+padding+padlen+nexthdr, in clear
  Bytes packet;  // SPI through ICV, as the document prints it
};

// seal() must produce the document's packet byte for byte from its header, IV and clear body, and
// open() must give the body back.
void check_vector(const EspVector& v) {
  CAPTURE(v.name);
  auto t = must_make(v.sa);
  auto sizes = t->sizes();
  REQUIRE(v.packet.size() == 8 + sizes.iv + v.body.size() + sizes.icv);
  Bytes esp = frame(0, 0, {}, v.body, sizes.icv);
  std::copy_n(v.packet.begin(), 8, esp.begin());
  esp.insert(esp.begin() + 8, v.packet.begin() + 8, v.packet.begin() + 8 + sizes.iv);
  REQUIRE(t->seal(esp, v.seq_hi, v.esn).ok());
  CHECK(same_bytes(esp, v.packet));
  // The comparison itself must see a single changed byte, anywhere.
  for (size_t at : {size_t(0), v.packet.size() / 2, v.packet.size() - 1}) {
    Bytes wrong = v.packet;
    wrong[at] ^= 0x01;
    CHECK_FALSE(same_bytes(esp, wrong));
  }
  Bytes in = v.packet;
  REQUIRE(t->open(in, v.seq_hi, v.esn));
  CHECK(same_bytes(std::span(in).subspan(8 + sizes.iv, v.body.size()), v.body));
}

model::SaConfig gcm(const char* key, const char* salt) { return aead_sa("rfc4106(gcm(aes))", concat({hex(key), hex(salt)}), 128); }

}  // namespace

TEST_CASE("RFC 3602 4 cases 5-8: AES-CBC ESP packets") {
  Bytes key56 = hex("90d382b410eeba7ad938c46cec1a82bf");
  Bytes key78 = hex("0123456789abcdef0123456789abcdef");
  // The documents give the payload before padding; RFC 4303 padding, pad length and next header follow.
  std::vector<EspVector> vs;
  vs.push_back({"case 5", cipher_sa("cbc(aes)", key56), 0, false,
                pad_payload(hex("08000ebda70a00008e9c083db95b0700 08090a0b0c0d0e0f1011121314151617"
                                "18191a1b1c1d1e1f2021222324252627 28292a2b2c2d2e2f3031323334353637"),
                            1, 16),
                hex("0000432100000001e96e8c08ab465763 fd098d45dd3ff893f663c25d325c18c6"
                    "a9453e194e120849a4870b66cc6b9965 330013b4898dc856a4699e523a55db08"
                    "0b59ec3a8e4b7e52775b07d1db34ed9c 538ab50c551b874aa269add047ad2d59"
                    "13ac19b7cfbad4a6")});
  vs.push_back({"case 6", cipher_sa("cbc(aes)", key56), 0, false,
                pad_payload(hex("0800b5e8a80a0500a69c083d0b660e00 777777777777777777777777"), 1, 16),
                hex("000043210000000869d08df7d203329d b093fc4924e5bd80f51995881ec4e0c4"
                    "488987ce742e8109689bb379d2d750c0 d915dca346a89f75")});
  vs.push_back({"case 7", cipher_sa("cbc(aes)", key78), 0, false,
                pad_payload(hex("45000054090400004001f988c0a87b03 c0a87bc808009f76a90a0100b49c083d"
                                "02a2040008090a0b0c0d0e0f10111213 1415161718191a1b1c1d1e1f20212223"
                                "2425262728292a2b2c2d2e2f30313233 34353637"),
                            4, 16),
                hex("0000876500000002f4e765244f6407ad f13dc1380f673f37773b5241a4c44922"
                    "5e4f3ce5ed611b0c237ca96cf74a9301 3c1b0ea1a0cf70f8e4ecaec78ac53aad"
                    "7a0f022b859243c647752e94a859352b 8a4d4d2decd136e5c177f132ad3fbfb2"
                    "201ac9904c74ee0a109e0ca1e4dfe9d5 a100b842f1c22f0d")});
  vs.push_back({"case 8", cipher_sa("cbc(aes)", key78), 0, false,
                pad_payload(hex("45000044090c00004001f990c0a87b03 c0a87bc80800d63caa0a0200c69c083d"
                                "a3de0300ffffffffffffffffffffffff ffffffffffffffffffffffffffffffff"
                                "ffffffff"),
                            4, 16),
                hex("000087650000000585d47224b5f3dd5d 2101d4ea8dffab2215b92683819596a8"
                    "047232cc00f7048fe45318e11f8a0f62 ede3c3fc61203bb50f980a08c9843fd3"
                    "a1b06d5c07ff9639b7eb7dfb3512e5de 435e7207ed971ef3d2726d9b5ef6affc"
                    "6d17a0decbb13892")});
  for (const auto& v : vs) check_vector(v);
}

TEST_CASE("draft-mcgrew-gcm-test-01: AES-GCM ESP packets") {
  std::vector<EspVector> vs;
  vs.push_back({"2.1 AES-128, 64-bit seq", gcm("4c80cdefbb5d10da906ac73c3613a634", "2e443b68"), 0x87654321, true,
                hex("45000048699a000080114db7c0a80102 c0a801010a9bf15638d3010000010000"
                    "00000000045f736970045f7564700373 69700963796265726369747902646b00"
                    "0021000101020201"),
                hex("00004321000000004956ed7e3b244cfe fecf537e729d5b07dc30df528dd22b76"
                    "8d1b98736696a6fd348509fa13ceac34 cfa2436f14a3f3cf65925bf1f4a13c5d"
                    "15b21e1884f5ff6247aeabb786b93bce 61bc17d768fd9732459018148f6cbe72"
                    "2fd04796562dfdb4")});
  vs.push_back({"2.2 AES-128, 32-bit seq", gcm("feffe9928665731c6d6a8f9467308308", "cafebabe"), 0, false,
                hex("4500003e698f000080114dccc0a80102 c0a801010a980035002a2343b2d00100"
                    "00010000000000000373697009637962 65726369747902646b00000100010001"),
                hex("0000a5f80000000afacedbaddecaf888 deb22cd9b07c72c16e3a65beeb8df304"
                    "a5a5897d33ae530f1ba76d5d114d2a5c 3de81827c10e9a4f51330d0eec416642"
                    "cfbb85a5b47e48a4ec3b9ba95d918bd1 83b70d3aa8bc6ee4c309e9d85a41ad4a")});
  vs.push_back({"2.3 AES-256, 32-bit seq",
                gcm("abbccddef00112233445566778899aababbccddef00112233445566778899aab", "11223344"), 0, false,
                hex("4500003069a6400080062690c0a80102 9389155e0a9e008b2dc57ee000000000"
                    "7002400020bf0000020405b401010402 01020201"),
                hex("4a2cbfe3000000020102030405060708 ff425c9b724599df7a3bcd510194e00d"
                    "6a78107f1b0b1cbf06efae9d65a5d763 748a637985771d347f0545659f14e99d"
                    "ef842d8eb335f4eecfdbf831824b4c49 15956c96")});
  vs.push_back({"2.4 AES-128 zero key", gcm("00000000000000000000000000000000", "00000000"), 0, false,
                hex("4500003c99c500008001cb7a40679318 010101010800075c0200440061626364"
                    "65666768696a6b6c6d6e6f7071727374 75767761626364656667686901020201"),
                hex("00000000000000010000000000000000 4688daf2f973a392732909c331d56d60"
                    "f694abaa414b5e7ff5fdcdfff5e9a284 456476492719ffb64de7d9dca1e1d894"
                    "bc3bd57873ed4d181d19d4d5c8c18af3 f821d496eeb096e98ad2b69e4799c71d")});
  vs.push_back({"2.5 AES-128, 64-bit seq", gcm("3de09874b388e6491988d0c3607eae1f", "57690e43"), 0x10101010, true,
                hex("4500003c99c300008001cb7c40679318 010101010800085c0200430061626364"
                    "65666768696a6b6c6d6e6f7071727374 75767761626364656667686901020201"),
                hex("42f67e3f101010104e280000a2fca1a3 fba2caa4853cf9f0f22cb10d86dd83b0"
                    "fec75691cf1a04b00d1138ec9c357917 65acbd8701ad79845bf9fe3fba487bc9"
                    "1755e6662b4c8d0d1f5e22739530320a e0d731cc978ecafaeae88f00e80d6e48")});
  vs.push_back({"2.7 AES-192, 32-bit seq", gcm("feffe9928665731c6d6a8f9467308308feffe9928665731c", "cafebabe"), 0,
                false,
                hex("45000028a4ad4000400678800a01038f 0a010612802306b8cb712602dd6bb03e"
                    "501016d075680001"),
                hex("0000a5f80000000afacedbaddecaf888 a5b1f8066029aea40e598b8122de0242"
                    "0938b3ab33f828e687b8858b5bfbdbd0 315b27452144cc7795457b9652037f53"
                    "18027b5b4cd7a636")});
  vs.push_back({"2.8 AES-128, 64-bit seq", gcm("abbccddef00112233445566778899aab", "decaf888"), 0, true,
                hex("4500004933ba00007f119106c3fb1d10 c2b1d326c02831ce0035dd7b800302d5"
                    "00004e20001e8c18d75b81dc91baa047 6b91b924b280389d92c963bac046ec95"
                    "9b6266c04722b14923010101"),
                hex("0000010000000001cafedebaceface74 18a6fd42f72cbf4ab2a2ea901f73d814"
                    "e3e7f243d95412e1c349c1d2fbec168f 9190feebaf2cb01984e65863965d7472"
                    "b79da345e0e780191f0d2f0e0f496c22 6f2127b27db35724e7845d68651f57e6"
                    "5f354f75ff17015769623436")});
  vs.push_back({"2.9 AES-256, 64-bit seq",
                gcm("abbccddef00112233445566778899aababbccddef00112233445566778899aab", "73616c74"), 0x156f3126, true,
                hex("45080028732c00004006e9f90a010612 0a01038f06b88023dd6bafbecb712602"
                    "50101f646d540001"),
                hex("17405e67dd0db99b616e640169766563 f2d69ecdbd5a0d5b8d5ef38bad4da58d"
                    "1f278fde98ef67549d524a3018d9a57f f4d3a31ce673119e451626c2415771e3"
                    "b7eebca614c89b35")});
  vs.push_back({"2.12 AES-128, seq ffffffff", gcm("7d773d00c144c525ac619d18c84a3f47", "d9664267"), 0, false,
                hex("01020201"),
                hex("335467aeffffffff43457e9182443bc6 437f866bcb3f699fe9b0822bac961c45"
                    "04bef270")});
  vs.push_back({"2.14 AES-256, seq ffffffffffffffff",
                gcm("6c6567616c697a656d6172696a75616e61616e64646f69746265666f72656961", "7475726e"), 0xffffffff, true,
                hex("45000030da3a00008001df3bc0a80005 c0a800010800c6cd0200070061626364"
                    "65666768696a6b6c6d6e6f7071727374 01020201"),
                hex("796b6963ffffffff333021696765746d f97ab2aa356d8edce17644ac8c78e25d"
                    "d24dedbb29ebf1b64a274b39b49c3a86 4cd3d78ca4ae68a32b42458fb57dbe82"
                    "1dcc63b9d0937ba2945f669368661a32 9fb4c053")});
  for (const auto& v : vs) check_vector(v);
}

TEST_CASE("RFC 7634 A: ChaCha20-Poly1305 ESP packet") {
  EspVector v{"RFC 7634 A",
              aead_sa("rfc7539esp(chacha20,poly1305)",
                      hex("808182838485868788898a8b8c8d8e8f 909192939495969798999a9b9c9d9e9f a0a1a2a3"), 128),
              0, false,
              hex("45000054a6f200004001e778c6336405 c00002050800 5b7a3a080000553bec10"
                  "000736270809 0a0b0c0d0e0f10111213 1415161718191a1b1c1d1e1f20212223"
                  "2425262728292a2b2c2d2e2f30313233 3435363701020204"),
              hex("0102030400000005 1011121314151617"
                  "24039428b97f417e3c13753a4f05087b 67c352e6a7fab1b982d466ef407ae5c6"
                  "14ee8099d52844eb61aa95dfab4c02f7 2aa71e7c4c4f64c9befe2facc638e8f3"
                  "cbec163fac469b502773f6fb94e664da 9165b82829f641e0"
                  "76aaa8266b7fb0f7b11b369907e1ad43")};
  check_vector(v);
}

TEST_CASE("RFC 3686 6 vectors 1 and 2: AES-CTR in ESP frames") {
  // Cipher-only vectors: any SPI and sequence number; the IV field carries the vector's IV.
  EspVector v1{"RFC 3686 #1", cipher_sa("rfc3686(ctr(aes))", hex("ae6852f8121067cc4bf7a5765577f39e 00000030")), 0,
               false, hex("53696e676c6520626c6f636b206d7367"),
               hex("00001000 00000001 0000000000000000 e4095d4fb7a7b3792d6175a3261311b8")};
  EspVector v2{"RFC 3686 #2", cipher_sa("rfc3686(ctr(aes))", hex("7e24067817fae0d743d6ce1f32539163 006cb6db")), 0,
               false, hex("000102030405060708090a0b0c0d0e0f 101112131415161718191a1b1c1d1e1f"),
               hex("00001000 00000002 c0543b59da48d90b"
                   "5104a106168a72d9790d41ee8edad388 eb2e1efc46da57c8fce630df9141be28")};
  check_vector(v1);
  check_vector(v2);
}

TEST_CASE("a known-answer check fails when the transform computes something else") {
  // The same RFC 3602 case 6 packet sealed under a different key must not pass as the vector.
  Bytes body = pad_payload(hex("0800b5e8a80a0500a69c083d0b660e00 777777777777777777777777"), 1, 16);
  Bytes packet = hex("000043210000000869d08df7d203329d b093fc4924e5bd80f51995881ec4e0c4"
                     "488987ce742e8109689bb379d2d750c0 d915dca346a89f75");
  Bytes key = hex("90d382b410eeba7ad938c46cec1a82bf");
  key[0] ^= 0x80;
  auto t = must_make(cipher_sa("cbc(aes)", key));
  Bytes esp = frame(0x4321, 8, std::span(packet).subspan(8, 16), body, 0);
  REQUIRE(t->seal(esp, 0, false).ok());
  CHECK_FALSE(same_bytes(esp, packet));
}

}  // namespace xfrmpp::test
