// Receipt PDFs with libharu (see receipt_pdf.h). SimSun draws an ASCII character half as wide as
// a Chinese one, so the monospaced layout of core::LayoutReceipt lines up as on paper.
#include "service/receipt_pdf.h"

#include <hpdf.h>

#include <algorithm>
#include <cstdio>
#include <memory>

#include "core/encoding.h"

namespace shuyou::service {
namespace {

constexpr int kColumns = 48;
constexpr float kMm = 72.0f / 25.4f;
constexpr float kPageWidth = 80 * kMm;
constexpr float kMargin = 4 * kMm;
constexpr float kFontSize = (kPageWidth - 2 * kMargin) / (kColumns / 2.0f);  // one column: half an em
constexpr float kLeading = kFontSize * 1.35f;
constexpr int kMaxLinesPerPage = 90;  // about 297 mm: a long receipt continues on another page

struct PdfError {
  HPDF_STATUS error = HPDF_OK;
  HPDF_STATUS detail = 0;
};

void OnError(HPDF_STATUS error, HPDF_STATUS detail, void* user) {
  auto* e = static_cast<PdfError*>(user);
  if (e->error == HPDF_OK) {
    e->error = error;
    e->detail = detail;
  }
}

Status Failed(const PdfError& e, const char* what) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "PDF %s failed (libharu error 0x%04X, detail %u)", what, unsigned(e.error),
                unsigned(e.detail));
  return Internal(buf);
}

// Height of a line: a double-size line takes two.
float LineHeight(const core::ReceiptPrintLine& l) { return l.size ? 2 * kLeading : kLeading; }

}  // namespace

Result<std::string> RenderReceiptPdf(const core::ReceiptDoc& doc, std::string_view lang) {
  PdfError err;
  std::unique_ptr<std::remove_pointer_t<HPDF_Doc>, void (*)(HPDF_Doc)> pdf(HPDF_New(OnError, &err), HPDF_Free);
  if (!pdf) return Internal("cannot create a PDF document");
  HPDF_Doc p = pdf.get();
  HPDF_SetCompressionMode(p, HPDF_COMP_NONE);
  HPDF_UseCNSFonts(p);
  HPDF_UseCNSEncodings(p);
  HPDF_Font font = HPDF_GetFont(p, "SimSun", "GBK-EUC-H");
  HPDF_Font bold = HPDF_GetFont(p, "SimSun,Bold", "GBK-EUC-H");
  if (err.error != HPDF_OK || !font || !bold) return Failed(err, "font setup");
  std::string title = doc.store_name + " " + doc.receipt_number;
  HPDF_SetInfoAttr(p, HPDF_INFO_CREATOR, "Shuyou");
  HPDF_SetInfoAttr(p, HPDF_INFO_TITLE, core::Utf8ToGbk(doc.receipt_number).c_str());

  auto lines = core::LayoutReceipt(doc, kColumns, lang);
  size_t next = 0;
  while (next < lines.size()) {
    // The lines of this page, and its height.
    size_t end = next;
    float body = 0;
    int count = 0;
    while (end < lines.size() && count < kMaxLinesPerPage) {
      body += LineHeight(lines[end]);
      count += lines[end].size ? 2 : 1;
      ++end;
    }
    HPDF_Page page = HPDF_AddPage(p);
    HPDF_Page_SetWidth(page, kPageWidth);
    HPDF_Page_SetHeight(page, body + 2 * kMargin);
    float y = body + kMargin;
    for (size_t i = next; i < end; ++i) {
      const auto& l = lines[i];
      float size = l.size == 2 ? 2 * kFontSize : kFontSize;
      float h = LineHeight(l);
      y -= h;
      std::string gbk = core::Utf8ToGbk(l.text);
      HPDF_Page_BeginText(page);
      HPDF_Page_SetFontAndSize(page, l.bold || l.size ? bold : font, size);
      float width = HPDF_Page_TextWidth(page, gbk.c_str());
      float x = kMargin;
      if (l.align == core::ReceiptPrintLine::kCenter) x = (kPageWidth - width) / 2;
      else if (l.align == core::ReceiptPrintLine::kRight) x = kPageWidth - kMargin - width;
      HPDF_Page_TextOut(page, std::max(x, 0.0f), y + (h - size) / 2 + size * 0.12f, gbk.c_str());
      HPDF_Page_EndText(page);
    }
    if (err.error != HPDF_OK) return Failed(err, "drawing");
    next = end;
  }
  if (HPDF_SaveToStream(p) != HPDF_OK || err.error != HPDF_OK) return Failed(err, "saving");
  HPDF_UINT32 size = HPDF_GetStreamSize(p);
  std::string out(size, '\0');
  HPDF_UINT32 got = size;
  HPDF_ResetStream(p);
  HPDF_STATUS st = HPDF_ReadFromStream(p, reinterpret_cast<HPDF_BYTE*>(out.data()), &got);
  if ((st != HPDF_OK && st != HPDF_STREAM_EOF) || got != size) return Failed(err, "reading the stream");
  return out;
}

}  // namespace shuyou::service
