#include "sluice/compute/text_case.h"

#include <locale.h>

#include <cctype>
#include <cstdint>
#include <cwctype>

namespace sluice::compute {

void CaseMap(std::string_view text, bool upper, std::string* out) {
  static const locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(0));
  out->clear();
  size_t i = 0;
  while (i < text.size()) {
    const unsigned char lead = static_cast<unsigned char>(text[i]);
    if (lead < 0x80 || utf8 == static_cast<locale_t>(0)) {
      // ASCII without the locale: the common case, and the hot one.
      const bool change = upper ? (lead >= 'a' && lead <= 'z') : (lead >= 'A' && lead <= 'Z');
      out->push_back(static_cast<char>(change ? lead ^ 0x20 : lead));
      ++i;
      continue;
    }
    const size_t length = (lead >> 5) == 6 ? 2 : (lead >> 4) == 14 ? 3 : (lead >> 3) == 30 ? 4 : 0;
    bool valid = length != 0 && i + length <= text.size();
    uint32_t code = length == 2 ? lead & 0x1F : length == 3 ? lead & 0x0F : lead & 0x07;
    for (size_t k = 1; valid && k < length; ++k) {
      const unsigned char next = static_cast<unsigned char>(text[i + k]);
      valid = (next & 0xC0) == 0x80;
      code = (code << 6) | (next & 0x3F);
    }
    if (!valid) {
      out->push_back(text[i++]);
      continue;
    }
    const uint32_t mapped =
        static_cast<uint32_t>(upper ? towupper_l(static_cast<wint_t>(code), utf8)
                                    : towlower_l(static_cast<wint_t>(code), utf8));
    if (mapped < 0x80) {
      out->push_back(static_cast<char>(mapped));
    } else if (mapped < 0x800) {
      out->push_back(static_cast<char>(0xC0 | (mapped >> 6)));
      out->push_back(static_cast<char>(0x80 | (mapped & 0x3F)));
    } else if (mapped < 0x10000) {
      out->push_back(static_cast<char>(0xE0 | (mapped >> 12)));
      out->push_back(static_cast<char>(0x80 | ((mapped >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (mapped & 0x3F)));
    } else {
      out->push_back(static_cast<char>(0xF0 | (mapped >> 18)));
      out->push_back(static_cast<char>(0x80 | ((mapped >> 12) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | ((mapped >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (mapped & 0x3F)));
    }
    i += length;
  }
}

}  // namespace sluice::compute
