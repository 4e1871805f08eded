package api

import (
	"context"
	"errors"
	"time"

	"connectrpc.com/connect"

	"github.com/dsrhost/dsrhost/daemon/internal/engine"
	"github.com/dsrhost/dsrhost/daemon/internal/report"
	adminv1 "github.com/dsrhost/dsrhost/proto/gen/dsrhost/admin/v1"
)

// Reporter computes the request metrics; *engine.Engine implements it. It
// is apart from Engine, as Extender is, so that engines without it (test
// fakes) answer GetRequestReport as unimplemented.
type Reporter interface {
	Report(ctx context.Context, from, to time.Time) ([]report.Row, error)
}

var _ Reporter = (*engine.Engine)(nil)

// GetRequestReport answers with the §7102 metrics of the requests created
// in [from, to); protovalidate has checked the range.
func (s *requestService) GetRequestReport(ctx context.Context, req *connect.Request[adminv1.GetRequestReportRequest]) (*connect.Response[adminv1.GetRequestReportResponse], error) {
	rep, ok := s.engine.(Reporter)
	if !ok {
		return nil, connect.NewError(connect.CodeUnimplemented, errors.New("this daemon keeps no request report"))
	}
	rows, err := rep.Report(ctx, req.Msg.GetFrom().AsTime(), req.Msg.GetTo().AsTime())
	if err != nil {
		return nil, s.fail(req.Spec().Procedure, err)
	}
	return connect.NewResponse(&adminv1.GetRequestReportResponse{Rows: ReportRowsToProto(rows)}), nil
}

// ReportRowsToProto converts report rows for the wire.
func ReportRowsToProto(rows []report.Row) []*adminv1.RequestReportRow {
	out := make([]*adminv1.RequestReportRow, len(rows))
	for i, r := range rows {
		p := &adminv1.RequestReportRow{
			Type: requestTypesOut[r.Type], Kind: report.Kind(r.Type),
			Received: int32(r.Received), CompliedWhole: int32(r.Whole), CompliedPart: int32(r.Part),
			Denied: int32(r.Denied), Open: int32(r.Open), Responded: int32(r.Responded),
		}
		if r.Responded > 0 {
			p.MedianDays, p.MeanDays = &r.MedianDays, &r.MeanDays
		}
		out[i] = p
	}
	return out
}

// ReportRowsFromProto converts rows from the wire, for clients.
func ReportRowsFromProto(rows []*adminv1.RequestReportRow) []report.Row {
	out := make([]report.Row, len(rows))
	for i, p := range rows {
		out[i] = report.Row{
			Type: requestTypes[p.GetType()], Received: int(p.GetReceived()), Whole: int(p.GetCompliedWhole()),
			Part: int(p.GetCompliedPart()), Denied: int(p.GetDenied()), Open: int(p.GetOpen()),
			Responded: int(p.GetResponded()), MedianDays: p.GetMedianDays(), MeanDays: p.GetMeanDays(),
		}
	}
	return out
}
