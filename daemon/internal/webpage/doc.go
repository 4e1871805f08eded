// Package webpage loads and renders a web surface's server-rendered
// pages, the same way for each surface (the privacy center, the Direct
// Contact answer page, and the console if it wishes): every page is one
// template file over a shared layout.html, styled by one style.css that
// the page inlines and the Content-Security-Policy allows by its hash
// (websecure.CSP), so no page loads anything from anywhere.
//
// A page is rendered into a buffer before anything is written, so a
// template that fails never sends half a page.
package webpage
