// Member card images (see card_image.h).
#include "http/card_image.h"

#include <png.h>
#include <qrencode.h>

#include <algorithm>
#include <memory>

namespace shuyou::http {
namespace {

constexpr int kQuiet = 4;  // modules of light margin, as the QR specification asks

// A 5×7 font for the characters a card number is printed with; each row's low 5 bits, left
// pixel in bit 4.
struct Glyph {
  char c;
  uint8_t rows[7];
};
constexpr Glyph kFont[] = {
    {'0', {0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E}}, {'1', {0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E}},
    {'2', {0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F}}, {'3', {0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E}},
    {'4', {0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02}}, {'5', {0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E}},
    {'6', {0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E}}, {'7', {0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08}},
    {'8', {0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E}}, {'9', {0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C}},
    {'-', {0x00, 0x00, 0x00, 0x1F, 0x00, 0x00, 0x00}}, {' ', {0, 0, 0, 0, 0, 0, 0}},
};

const Glyph* GlyphOf(char c) {
  for (const auto& g : kFont)
    if (g.c == c) return &g;
  return nullptr;
}

void AppendEscaped(std::string& out, std::string_view text) {
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
}

}  // namespace

Result<QrMatrix> EncodeQr(std::string_view text) {
  if (text.empty() || text.size() > 256) return Invalid("a QR code holds 1 to 256 bytes here");
  std::string s(text);  // NUL-terminated for libqrencode
  std::unique_ptr<QRcode, void (*)(QRcode*)> code(QRcode_encodeString(s.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1),
                                                  QRcode_free);
  if (!code) return Internal("the QR code could not be encoded");
  QrMatrix m;
  m.width = code->width;
  m.dark.resize(size_t(m.width) * size_t(m.width));
  for (size_t i = 0; i < m.dark.size(); ++i) m.dark[i] = (code->data[i] & 1) != 0;  // bit 0: dark module
  return m;
}

std::string CardSvg(const QrMatrix& qr, std::string_view caption) {
  const int side = qr.width + 2 * kQuiet;
  const int text_h = 5;  // module units below the quiet zone for the caption
  std::string out;
  out.reserve(size_t(qr.width) * size_t(qr.width) * 8 + 512);
  out += "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + std::to_string(side) + " " +
         std::to_string(side + text_h) + "\" width=\"" + std::to_string(side * 8) + "\" height=\"" +
         std::to_string((side + text_h) * 8) + "\" data-modules=\"" + std::to_string(qr.width) +
         "\" shape-rendering=\"crispEdges\">";
  out += "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>";
  out += "<path fill=\"#000\" transform=\"translate(" + std::to_string(kQuiet) + " " + std::to_string(kQuiet) + ")\" d=\"";
  for (int y = 0; y < qr.width; ++y)
    for (int x = 0; x < qr.width; ++x)
      if (qr.At(x, y)) out += "M" + std::to_string(x) + " " + std::to_string(y) + "h1v1h-1z";
  out += "\"/>";
  // A monospace caption 2.6 modules high (a digit is about 1.56 wide); a caption too long for
  // the width is squeezed to fit it.
  out += "<text x=\"" + std::to_string(side / 2) + (side % 2 ? ".5" : "") + "\" y=\"" + std::to_string(side + 3) +
         "\" text-anchor=\"middle\" font-family=\"monospace\" font-size=\"2.6\" fill=\"#000\"";
  if (double(caption.size()) * 1.56 > side - 2)
    out += " textLength=\"" + std::to_string(side - 2) + "\" lengthAdjust=\"spacingAndGlyphs\"";
  out += ">";
  AppendEscaped(out, caption);
  out += "</text></svg>";
  return out;
}

Result<std::string> CardPng(const QrMatrix& qr, std::string_view caption, int scale) {
  if (scale < 1 || scale > 32) return Invalid("the scale must be 1 to 32 pixels per module");
  std::string text;
  for (char c : caption)
    if (GlyphOf(c)) text += c;
  const int side = (qr.width + 2 * kQuiet) * scale;
  // Font pixel size: as large as fits the width, at most half a module.
  int font_px = std::max(1, scale / 2);
  while (font_px > 1 && int(text.size()) * 6 * font_px > side - 2 * scale) --font_px;
  const int text_h = text.empty() ? 0 : 7 * font_px + scale;
  const int w = side, h = side + text_h;
  std::vector<uint8_t> px(size_t(w) * size_t(h), 0xFF);
  auto fill = [&](int x0, int y0, int n) {
    for (int y = y0; y < y0 + n; ++y) std::fill_n(px.begin() + (size_t(y) * w + x0), n, uint8_t(0));
  };
  for (int y = 0; y < qr.width; ++y)
    for (int x = 0; x < qr.width; ++x)
      if (qr.At(x, y)) fill((x + kQuiet) * scale, (y + kQuiet) * scale, scale);
  int pen_x = (w - int(text.size()) * 6 * font_px + font_px) / 2, pen_y = side;  // below the quiet zone
  for (char c : text) {
    const Glyph* g = GlyphOf(c);
    for (int row = 0; row < 7; ++row)
      for (int col = 0; col < 5; ++col)
        if (g->rows[row] & (0x10 >> col)) fill(pen_x + col * font_px, pen_y + row * font_px, font_px);
    pen_x += 6 * font_px;
  }

  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  image.width = png_uint_32(w);
  image.height = png_uint_32(h);
  image.format = PNG_FORMAT_GRAY;
  png_alloc_size_t size = 0;
  if (!png_image_write_to_memory(&image, nullptr, &size, 0, px.data(), 0, nullptr))
    return Internal(std::string("PNG encoding failed: ") + image.message);
  std::string out(size, '\0');
  if (!png_image_write_to_memory(&image, out.data(), &size, 0, px.data(), 0, nullptr))
    return Internal(std::string("PNG encoding failed: ") + image.message);
  out.resize(size);
  return out;
}

}  // namespace shuyou::http
