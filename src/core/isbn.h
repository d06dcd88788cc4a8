// Book numbers at the till: ISBN-13 and ISBN-10 as typed or scanned, validated by their check
// digit and converted to one canonical form (ISBN-13 digits, no hyphens), so that a book is found
// whichever form a publisher printed. Other barcodes (EAN-13, EAN-8, UPC-A) are validated too,
// for non-book items. Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace shuyou::core {

// "978-7-02-000220-7", "9787020002207", "7-02-000220-X", "702000220x" → "9787020002207".
// Spaces and '-' are ignored; an ISBN-10's check digit may be 'X' or 'x'. Invalid with a message
// a cashier can read: wrong length, not digits, wrong check digit (naming the expected one).
Result<std::string> NormalizeIsbn(std::string_view typed);

// The ISBN-10 form of a 978-prefixed ISBN-13 ("9787020002207" → "702000220X"); nullopt for a
// 979 number (it has none) or an invalid input.
std::optional<std::string> Isbn13To10(std::string_view isbn13);

// "978-7-02-000220-7" style display is publisher-dependent; this only groups as 978-7020002207.
std::string FormatIsbn13(std::string_view isbn13);

// A product barcode as scanned: an ISBN (either form, answered as ISBN-13), or an EAN-13,
// EAN-8 or UPC-A (12 digits, answered as the EAN-13 with a leading 0) with a valid check digit.
Result<std::string> NormalizeBarcode(std::string_view typed);

// True when `digits` (all '0'–'9', 8/12/13 long) ends with its GS1 mod-10 check digit.
bool ValidGs1(std::string_view digits);

}  // namespace shuyou::core
