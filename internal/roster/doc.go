// Package roster reads and writes exchange lists: the files of persons
// (parley.Person) each side of a prisoner exchange sends, as spreadsheets
// have always carried them. It is pure: it reads a file into a report and
// writes persons into a file, and stores nothing. Whether a list with bad
// rows is taken, in part or not at all, is the caller's decision, made on
// the report.
//
// # The files Read accepts
//
// CSV: UTF-8 text, with or without a byte order mark, values separated by
// commas or by semicolons (as spreadsheets set to a language with decimal
// commas write it; Read takes the one the header line has more of),
// quoted as RFC 4180 says. A file in another encoding is refused when its
// header is not UTF-8, and a cell that is not UTF-8 is a row error. A
// syntax error — a stray quote — refuses the file, naming the line,
// since what follows it cannot be read reliably. A row with a
// value past the header's last column is an error: a value with an
// unquoted comma has usually split.
//
// XLSX: the first sheet of the workbook; the others are not read. Each
// cell is read as the spreadsheet shows it (a service number written
// 000123 stays 000123), except a cell whose format shows a date, which
// reads as YYYY-MM-DD whatever its format. A number without a date format
// in a date column is read as text: 1990 is the year 1990. Formulas read
// as their last computed value; cells right of the header are ignored. An
// older .xls workbook, or one protected by a password, is refused with a
// sentence that says so.
//
// Limits: a file of at most MaxSize bytes; an XLSX file whose parts come
// to at most MaxUnzipped bytes once unzipped (checked against the sizes
// the archive declares before anything is unzipped, and by archive/zip,
// which refuses a part longer than it declares, while unzipping), so that
// a small file cannot unzip into a large one; and at most MaxRows rows
// below the header, checked against the sheet's declared dimension and
// again as the rows stream.
//
// # Header, rows and errors
//
// The first row that is not empty names the columns; rows are numbered
// as a spreadsheet shows them, so the header is row 1 when nothing is
// above it (in CSV, a blank line is an empty row and a quoted value that
// spans lines is one row). A header may name its columns by the JSON
// names of parley.Person, in any case and with spaces or hyphens for the
// underscores, or by one of these (also in any case; Turkish names with
// or without their diacritics):
//
//	ref                 id, №, № п/п, no, sıra no
//	family_name         surname, last name, прізвище, фамилия, soyadı, soyad
//	given_name          first name, ім'я, имя, adı, ad
//	patronymic          father's name, по батькові, отчество, baba adı
//	birth_date          date of birth, дата народження, дата рождения, doğum tarihi
//	rank                звання, військове звання, звание, воинское звание, rütbe
//	service_number      особистий номер, личный номер, sicil no, sicil numarası
//	unit                військова частина, частина, підрозділ, воинская часть, часть, подразделение, birlik
//	capture_place       place of capture, місце полонення, место пленения, esir alındığı yer
//	capture_date        date of capture, дата полонення, дата пленения, esir alındığı tarih
//	mother_maiden_name  mother's maiden name, дівоче прізвище матері, девичья фамилия матери, anne kızlık soyadı
//	category            категорія, категория, kategori
//	medical_needs       медичні потреби, медицинские потребности, tıbbi ihtiyaçlar
//	script              (cyrillic, latin or mixed; when empty or absent, the script of the names)
//	latin               латиницею, латиницей, транслітерація, транслитерация, transliteration
//
// The columns ref, family_name and given_name are required: a header
// without one of them refuses the file, as do two columns for one field.
// Columns with other headers are ignored and listed in Import.Ignored.
// Empty rows are skipped. Every other row is in the Import with all its
// errors, each naming the row and the column, by its header and its place
// (a number for CSV, a letter for XLSX): a required value missing; a date
// that is not YYYY-MM-DD, YYYY-MM or YYYY (the forms ParsePartialDate
// reads) with the value and the forms in the message; a value too long or
// with control characters, as Person.Validate finds, or with U+FFFE or
// U+FFFF, which XLSX cannot carry; a script that is not one; and a ref
// that another row has, on each of the rows (naming the others, the
// first five if there are more). Values are trimmed of spaces, and their
// line breaks read as \n.
//
// # HXL
//
// A row of Humanitarian Exchange Language hashtags under the header (see
// hxlstandard.org) is recognised and skipped, and a column whose header is
// empty or unknown is read by its hashtag when it is one of those below.
// WriteHXL writes them. HXL has no hashtag for a person; #respondee, its
// hashtag for "descriptive information, such as name, identifier, or
// traits, for a single respondee", is the nearest, and attributes not in
// the HXL dictionary (+family, +rank, …) are allowed by its conventions:
//
//	ref                 #meta+id
//	family_name         #respondee+name+family
//	given_name          #respondee+name+given
//	patronymic          #respondee+name+patronymic
//	birth_date          #date+birth
//	rank                #respondee+rank
//	service_number      #respondee+code+service
//	unit                #group+name+unit      (#group: a non-humanitarian group)
//	capture_place       #loc+name+capture
//	capture_date        #date+occurred+capture
//	mother_maiden_name  #respondee+name+mother
//	category            #respondee+category+code
//	medical_needs       #need+medical
//	script              #meta+script
//	latin               #respondee+name+latin
//
// # Formulas
//
// A spreadsheet runs a cell that begins with =, +, - or @ (and some, one
// that begins with a tab or a carriage return) as a formula, so a list
// could carry =HYPERLINK(…) or worse to the other side. The writers put a
// single quote before such a value, and before a value made of quotes
// followed by such a value; the reader takes one quote off a value that is
// a quote followed by either kind, and leaves every other value as it is
// (O'Brien, 'Ali). So what is written reads back the same, and a value
// escaped by hand in a spreadsheet ('=1+1) reads as it was meant. The
// rule holds for XLSX too, where a text cell is not run, so that a value
// copied from the sheet into a CSV file stays inert.
//
// # Writing
//
// WriteCSV, WriteHXL and WriteXLSX write the columns in the order of the
// table above, headed by their JSON names, dates as YYYY-MM-DD, YYYY-MM or
// YYYY, as text. What they write, Read reads back to the same persons,
// given persons as Read makes them: trimmed values, \n line breaks, and
// the script filled in.
package roster
