/**
 * Output for people: images as PNG (single images and labelled contact sheets); later CSV/JSON and
 * HTML reports.
 */
package org.featviz.report;
