/**
 * Types for svg-to-pdfkit 0.1.x (the package ships none): the options pdf.ts uses, as read from
 * its source.js (`SVGtoPDF(doc, svg, x, y, options)`, CommonJS `module.exports = SVGtoPDF`).
 */
declare module 'svg-to-pdfkit' {
  interface SvgToPdfFontOptions {
    fauxItalic: boolean;
    fauxBold: boolean;
  }

  interface SvgToPdfOptions {
    /** Viewport size in PDF points (default: the page). */
    width?: number;
    height?: number;
    preserveAspectRatio?: string;
    /** Treat SVG px as pt (default false: 1px = 0.75pt). */
    assumePt?: boolean;
    /** Returns the name of a font registered with doc.registerFont. */
    fontCallback?: (family: string, bold: boolean, italic: boolean, fontOptions: SvgToPdfFontOptions) => string;
    /** Receives what the converter could not draw; the default prints with console.warn. */
    warningCallback?: (message: string) => void;
    precision?: number;
  }

  function SVGtoPDF(doc: PDFKit.PDFDocument, svg: string, x?: number, y?: number, options?: SvgToPdfOptions): void;
  export = SVGtoPDF;
}
