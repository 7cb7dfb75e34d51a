package aircall

import (
	"encoding/json"
	"fmt"
)

// CallInsights are the transcript and AI insights of one call as they were
// delivered by webhook and kept (each as the REST endpoint's inner object,
// see Insight.Data). A nil field is an insight not delivered (yet).
type CallInsights struct {
	Transcription *Transcription
	Summary       *Summary
	Topics        *Topics
	Sentiments    *Sentiments
	ActionItems   *ActionItems
}

// Add decodes one kept insight of the given kind (one of the Insight*
// kinds) into its field. Topics and action items go through the same
// lenient readers as the REST answers, since their shapes are unverified.
func (ci *CallInsights) Add(kind string, data []byte) error {
	switch kind {
	case InsightTranscription:
		var t Transcription
		if err := json.Unmarshal(data, &t); err != nil {
			return fmt.Errorf("aircall: kept %s: %w", kind, err)
		}
		ci.Transcription = &t
	case InsightSummary:
		var s Summary
		if err := json.Unmarshal(data, &s); err != nil {
			return fmt.Errorf("aircall: kept %s: %w", kind, err)
		}
		ci.Summary = &s
	case InsightTopics:
		items, err := flexStrings(data)
		if err != nil {
			return fmt.Errorf("aircall: kept %s: %w", kind, err)
		}
		ci.Topics = &Topics{Content: items}
	case InsightSentiments:
		var s Sentiments
		if err := json.Unmarshal(data, &s); err != nil {
			return fmt.Errorf("aircall: kept %s: %w", kind, err)
		}
		ci.Sentiments = &s
	case InsightActionItems:
		items, err := flexStrings(data)
		if err != nil {
			return fmt.Errorf("aircall: kept %s: %w", kind, err)
		}
		ci.ActionItems = &ActionItems{Items: items}
	default:
		return fmt.Errorf("aircall: kept insight of unknown kind %q", kind)
	}
	return nil
}
