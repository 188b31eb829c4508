// Package jsonx holds the JSON pieces shared by the wire types of every
// dialect: appenders that write the same bytes as encoding/json without HTML
// escaping and allocate nothing (the hot path of every stream), and the one
// codec of the string-or-list unions (message content, Responses input and
// item content).
package jsonx
