package helpscouttest

import (
	"errors"
	"fmt"
	"strings"
)

// node is a parsed Help Scout search query: the Lucene-like subset the docs
// show — field:"value", field:value, field:("a" OR "b"), AND, OR, NOT, ().
type node struct {
	op     string // "or", "and", "not", "term"
	kids   []*node
	field  string
	values []string // OR-ed
}

// match evaluates the query with pred deciding one field/value pair.
func (n *node) match(pred func(field, value string) bool) bool {
	switch n.op {
	case "or":
		for _, k := range n.kids {
			if k.match(pred) {
				return true
			}
		}
		return false
	case "and":
		for _, k := range n.kids {
			if !k.match(pred) {
				return false
			}
		}
		return true
	case "not":
		return !n.kids[0].match(pred)
	default:
		for _, v := range n.values {
			if pred(n.field, v) {
				return true
			}
		}
		return false
	}
}

// fields lists every field the query uses, to reject unknown ones up front.
func (n *node) fields(out map[string]bool) {
	if n.op == "term" {
		out[n.field] = true
	}
	for _, k := range n.kids {
		k.fields(out)
	}
}

type tok struct {
	kind string // "(", ")", "str", "word", "field"
	text string
}

func tokenize(s string) ([]tok, error) {
	var out []tok
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n':
			i++
		case c == '(' || c == ')':
			out = append(out, tok{kind: string(c)})
			i++
		case c == '"':
			j := strings.IndexByte(s[i+1:], '"')
			if j < 0 {
				return nil, errors.New("unterminated quote")
			}
			out = append(out, tok{kind: "str", text: s[i+1 : i+1+j]})
			i += j + 2
		default:
			j := i
			for j < len(s) && !strings.ContainsRune(" \t\n()\"", rune(s[j])) {
				j++
			}
			w := s[i:j]
			i = j
			if k := strings.IndexByte(w, ':'); k > 0 {
				out = append(out, tok{kind: "field", text: w[:k]})
				if rest := w[k+1:]; rest != "" {
					out = append(out, tok{kind: "str", text: rest})
				}
				continue
			}
			out = append(out, tok{kind: "word", text: w})
		}
	}
	return out, nil
}

type parser struct {
	toks []tok
	pos  int
}

func parseQuery(s string) (*node, error) {
	toks, err := tokenize(s)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	n, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.pos != len(p.toks) {
		return nil, fmt.Errorf("unexpected %q", p.toks[p.pos].text+p.toks[p.pos].kind)
	}
	return n, nil
}

func (p *parser) peek() *tok {
	if p.pos < len(p.toks) {
		return &p.toks[p.pos]
	}
	return nil
}

func (p *parser) isWord(w string) bool {
	t := p.peek()
	return t != nil && t.kind == "word" && strings.EqualFold(t.text, w)
}

func (p *parser) or() (*node, error) {
	first, err := p.and()
	if err != nil {
		return nil, err
	}
	n := &node{op: "or", kids: []*node{first}}
	for p.isWord("OR") {
		p.pos++
		k, err := p.and()
		if err != nil {
			return nil, err
		}
		n.kids = append(n.kids, k)
	}
	return n, nil
}

func (p *parser) and() (*node, error) {
	first, err := p.unary()
	if err != nil {
		return nil, err
	}
	n := &node{op: "and", kids: []*node{first}}
	for {
		if p.isWord("AND") {
			p.pos++
		} else if t := p.peek(); t == nil || t.kind == ")" || p.isWord("OR") {
			return n, nil
		}
		k, err := p.unary()
		if err != nil {
			return nil, err
		}
		n.kids = append(n.kids, k)
	}
}

func (p *parser) unary() (*node, error) {
	t := p.peek()
	switch {
	case t == nil:
		return nil, errors.New("unexpected end of query")
	case p.isWord("NOT"):
		p.pos++
		k, err := p.unary()
		if err != nil {
			return nil, err
		}
		return &node{op: "not", kids: []*node{k}}, nil
	case t.kind == "(":
		p.pos++
		n, err := p.or()
		if err != nil {
			return nil, err
		}
		if t := p.peek(); t == nil || t.kind != ")" {
			return nil, errors.New("missing )")
		}
		p.pos++
		return n, nil
	case t.kind == "field":
		p.pos++
		return p.values(t.text)
	}
	return nil, fmt.Errorf("unexpected %q", t.text)
}

func (p *parser) values(field string) (*node, error) {
	n := &node{op: "term", field: field}
	t := p.peek()
	switch {
	case t == nil:
		return nil, fmt.Errorf("no value for %s", field)
	case t.kind == "str" || t.kind == "word":
		p.pos++
		n.values = []string{t.text}
		return n, nil
	case t.kind == "(":
		p.pos++
		for {
			t := p.peek()
			if t == nil {
				return nil, errors.New("missing )")
			}
			p.pos++
			switch {
			case t.kind == ")":
				if len(n.values) == 0 {
					return nil, fmt.Errorf("no value for %s", field)
				}
				return n, nil
			case t.kind == "word" && strings.EqualFold(t.text, "OR"):
			case t.kind == "str" || t.kind == "word":
				n.values = append(n.values, t.text)
			default:
				return nil, fmt.Errorf("unexpected %q in %s values", t.text, field)
			}
		}
	}
	return nil, fmt.Errorf("no value for %s", field)
}
