// Member card images: a QR code of the card number (libqrencode, error correction level M, the
// shortest symbol that holds it) as SVG or PNG, with the number printed below it so that a
// cashier can type it when the scanner fails. The same number always gives the same bytes.
// Kept behind this .cpp so that qrencode and libpng headers stay out of the rest of the server.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace shuyou::http {

// The QR symbol: width × width modules, row by row, true = dark. No quiet zone.
struct QrMatrix {
  int width = 0;
  std::vector<bool> dark;
  bool At(int x, int y) const { return dark[size_t(y) * size_t(width) + size_t(x)]; }
};

// Invalid for empty text or text longer than 256 bytes.
Result<QrMatrix> EncodeQr(std::string_view text);

// An SVG document in module units: a 4-module quiet zone around the symbol, one path of dark
// 1×1 squares ("M{x} {y}h1v1h-1z", x and y counted in modules from the symbol's top left,
// offset by the quiet zone through a transform), and the text centred below.
std::string CardSvg(const QrMatrix& qr, std::string_view caption);

// A grayscale PNG: `scale` pixels per module, the same quiet zone, and `caption` (digits, spaces
// and '-' only; anything else is left out) drawn below in a 5×7 pixel digit font.
Result<std::string> CardPng(const QrMatrix& qr, std::string_view caption, int scale = 8);

}  // namespace shuyou::http
